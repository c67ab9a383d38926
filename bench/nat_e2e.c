// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nat_e2e: one measurement of the end-to-end NAT benchmark (driven by
 * bench/e2e_nat.sh, which builds the topology and the gateway).
 *
 * Attaches e2e_sink to the receiving veth (in its namespace, through a BPF
 * link that dies with this process), optionally e2e_fwd as a stand-in
 * gateway, then offers frames with e2e_gen in one BPF_PROG_TEST_RUN with
 * live frames, run by a thread pinned to the generator's CPU: into a veth
 * of the generator's namespace, whose peer is the gateway's LAN interface.
 * Flat out (-r 0) or paced, in bursts of E2E_BURST frames. After a ramp it
 * samples the sink's counters, the run time of the gateway's and the
 * sink's receive threads (threaded NAPI kthreads) and every CPU's busy
 * time, again after -d seconds, stops the generator and prints one JSON
 * object with the differences.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/lib/pkt.h"
#include "e2e_nat.h"
#include "e2e_nat.skel.h"

#define MAX_CPUS 64
/* offered before the window opens: rings and caches in their steady state */
#define RAMP_S 0.3

struct options {
	const char *gen_ns, *gen_dev, *sink_ns, *sink_dev;
	const char *fwd_ns, *fwd_dev, *fwd_to; /* the bare forwarder, optional */
	const char *src, *dst, *wan;
	__u8 dmac[6], smac[6];
	__u16 sport, dport;
	__u32 flows;
	double rate; /* frames per second, 0: as fast as possible */
	double duration; /* seconds */
	int cpu; /* the generator's */
	int napi_pid; /* the gateway's receive thread, 0: none */
	int sink_pid; /* the sink's receive thread, 0: none */
	int awake_cpu; /* keep this CPU out of idle, -1: none */
};

struct cpu_times {
	int n;
	long long busy_ns[MAX_CPUS];
};

static void usage(void)
{
	fprintf(stderr,
		"usage: nat_e2e -G GEN_NETNS -g GEN_DEV -S SINK_NETNS -s SINK_DEV\n"
		"               -m DST_MAC -M SRC_MAC --src IP --dst IP --wan IP\n"
		"               [-f FLOWS] [-r PPS] [-d SECONDS] [-c CPU] [-p PID] [-q PID] [-w CPU]\n"
		"               [-X NETNS -x DEV -y TO_DEV]\n"
		"  -f  flows (source ports from --sport up), a power of two (default 1024)\n"
		"  -r  offered rate in frames/s, 0 = as fast as possible (default)\n"
		"  -d  seconds to measure, after a ramp of 0.3 s (default 1)\n"
		"  -c  CPU of the generator (default 0)\n"
		"  -X, -x, -y  attach e2e_fwd to DEV (-x) in NETNS (-X), sending all to -y\n"
		"  -p  pid of the gateway's receive thread, for its CPU time\n"
		"  -q  pid of the sink's receive thread, for its CPU time\n"
		"  -w  keep this CPU out of idle with a SCHED_IDLE spinner meanwhile\n");
}

static int parse_mac(const char *s, __u8 *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
		      &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -EINVAL;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "src", required_argument, NULL, 1 },
		{ "dst", required_argument, NULL, 2 },
		{ "wan", required_argument, NULL, 3 },
		{ "sport", required_argument, NULL, 4 },
		{ "dport", required_argument, NULL, 5 },
		{ NULL, 0, NULL, 0 },
	};
	int opt, err = 0;

	*o = (struct options){ .flows = 1024, .duration = 1, .sport = 20000,
			       .dport = 5201, .awake_cpu = -1 };
	while ((opt = getopt_long(argc, argv, "G:g:S:s:m:M:f:r:d:c:p:q:w:X:x:y:", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'G': o->gen_ns = optarg; break;
		case 'g': o->gen_dev = optarg; break;
		case 'S': o->sink_ns = optarg; break;
		case 's': o->sink_dev = optarg; break;
		case 'm': err |= parse_mac(optarg, o->dmac); break;
		case 'M': err |= parse_mac(optarg, o->smac); break;
		case 'f': o->flows = (__u32)strtoul(optarg, NULL, 0); break;
		case 'r': o->rate = strtod(optarg, NULL); break;
		case 'd': o->duration = strtod(optarg, NULL); break;
		case 'c': o->cpu = atoi(optarg); break;
		case 'p': o->napi_pid = atoi(optarg); break;
		case 'q': o->sink_pid = atoi(optarg); break;
		case 'X': o->fwd_ns = optarg; break;
		case 'x': o->fwd_dev = optarg; break;
		case 'y': o->fwd_to = optarg; break;
		case 'w': o->awake_cpu = atoi(optarg); break;
		case 1: o->src = optarg; break;
		case 2: o->dst = optarg; break;
		case 3: o->wan = optarg; break;
		case 4: o->sport = (__u16)atoi(optarg); break;
		case 5: o->dport = (__u16)atoi(optarg); break;
		default: err = -EINVAL;
		}
	}
	if (err || optind != argc || !o->gen_ns || !o->gen_dev || !o->sink_ns ||
	    !o->sink_dev || !o->src || !o->dst || !o->wan || !o->flows ||
	    (o->flows & (o->flows - 1)) || o->sport + o->flows > 65536 ||
	    o->rate < 0 || o->duration <= 0 || o->duration > 60 ||
	    !o->fwd_ns != !o->fwd_dev || !o->fwd_ns != !o->fwd_to) {
		usage();
		return -EINVAL;
	}
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int enter_netns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 || setns(fd, CLONE_NEWNET))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		fprintf(stderr, "nat_e2e: entering %s: %s\n", path, strerror(-ret));
	return ret;
}

/* Run time of a thread so far, from the scheduler (ns). */
static long long thread_runtime(int pid)
{
	char path[64];
	long long ns = -1;
	FILE *f;

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = -1;
	fclose(f);
	return ns;
}

/* Busy time of every CPU from /proc/stat (tick-sampled). */
static void cpu_times(struct cpu_times *t)
{
	long tick_ns = 1000000000L / sysconf(_SC_CLK_TCK);
	char line[512];
	FILE *f = fopen("/proc/stat", "r");

	t->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && t->n < MAX_CPUS) {
		long long v[8] = { 0 };
		int cpu;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line, "cpu%d %lld %lld %lld %lld %lld %lld %lld %lld", &cpu,
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9 ||
		    cpu != t->n)
			break;
		/* user nice system [idle iowait] irq softirq steal */
		t->busy_ns[t->n++] = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * tick_ns;
	}
	fclose(f);
}

static int read_counts(struct e2e_nat *skel, __u64 *out)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 vals[ncpus > 0 ? ncpus : 1];

	for (__u32 id = 0; id < E2E_CNT_MAX; id++) {
		out[id] = 0;
		if (bpf_map__lookup_elem(skel->maps.e2e_counts, &id, sizeof(id), vals,
					 sizeof(vals), 0))
			return -errno;
		for (int i = 0; i < ncpus; i++)
			out[id] += vals[i];
	}
	return 0;
}

/* One long test run (the per-call set-up of live frames costs about as
 * much as tens of milliseconds of traffic), as many repeats as the kernel
 * takes; nat_e2e stops it when it has measured by setting gen_stop (no
 * more frames offered) and signalling the thread: the kernel ends a test
 * run with EINTR when a signal is pending. */
struct generator {
	pthread_t thread;
	int prog_fd, ifindex, cpu, ret;
	const __u8 *frame;
	__u32 len, repeats;
};

static void *generator_main(void *arg)
{
	struct generator *g = arg;
	struct xdp_md ctx = { .data_end = g->len, .ingress_ifindex = (__u32)g->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame,
		    .data_size_in = g->len, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = (int)g->repeats, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .batch_size = E2E_BURST);

	g->ret = bpf_prog_test_run_opts(g->prog_fd, &opts) ? -errno : 0;
	if (g->ret == -EINTR)
		g->ret = 0; /* stopped */
	return NULL;
}

static void on_stop(int sig)
{
	(void)sig;
}

/*
 * A virtual CPU that goes idle halts, and waking it takes the hypervisor
 * long enough (measured: a paced load lost up to 18% of its frames in the
 * veth ring of an idle gateway CPU). The spinner keeps the gateway's CPU
 * out of idle the way idle=poll would: SCHED_IDLE, so any woken thread
 * takes the CPU at once; its own run time is measured and reported.
 */
struct spinner {
	pthread_t thread;
	int cpu;
	volatile int stop;
	volatile pid_t tid;
};

static void *spinner_main(void *arg)
{
	struct spinner *sp = arg;
	struct sched_param param = { 0 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sp->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	sched_setscheduler(0, SCHED_IDLE, &param);
	sp->tid = gettid();
	while (!sp->stop)
		__builtin_ia32_pause();
	return NULL;
}

struct sample {
	long long t, napi, sink, spin;
	__u64 offered, runs, late, counts[E2E_CNT_MAX];
	struct cpu_times cpu;
};

static int take_sample(struct e2e_nat *skel, const struct options *o, int spin_tid,
		       struct sample *s)
{
	int ret = read_counts(skel, s->counts);

	s->napi = thread_runtime(o->napi_pid);
	s->sink = thread_runtime(o->sink_pid);
	s->spin = thread_runtime(spin_tid);
	cpu_times(&s->cpu);
	s->offered = skel->bss->gen_seq;
	s->runs = skel->bss->gen_runs;
	s->late = skel->bss->gen_late;
	s->t = now_ns();
	return ret ? ret : s->napi < 0 || s->sink < 0 ? -ESRCH : 0;
}

static int build_frame(const struct options *o, struct e2e_nat *skel, __u8 *frame,
		       __u32 *len)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = o->src, .dst = o->dst, .proto = IPPROTO_UDP,
		.ttl = 64, .payload = E2E_PAYLOAD, .sport = o->sport, .dport = o->dport,
	};

	memcpy(s.dmac, o->dmac, 6);
	memcpy(s.smac, o->smac, 6);
	*len = (__u32)pkt_build(&s, frame, 256);
	if (*len != E2E_FRAME_LEN || (!frame[E2E_CSUM_OFF] && !frame[E2E_CSUM_OFF + 1]))
		return -EINVAL;
	memcpy(&skel->bss->gen_head, frame, E2E_HEAD_LEN);
	skel->bss->gen_flow_mask = o->flows - 1;
	if (inet_pton(AF_INET, o->wan, &skel->bss->sink_wan_addr) != 1)
		return -EINVAL;
	skel->bss->sink_dport = htons(o->dport);
	return 0;
}

static void stop_generator(struct e2e_nat *skel, struct generator *g)
{
	skel->bss->gen_stop = 1;
	pthread_kill(g->thread, SIGUSR1);
	pthread_join(g->thread, NULL);
}

static void report(const struct options *o, const struct sample *a,
		   const struct sample *b)
{
	double secs = (b->t - a->t) / 1e9;
	__u64 translated = b->counts[E2E_CNT_TRANSLATED] - a->counts[E2E_CNT_TRANSLATED];
	__u64 other = b->counts[E2E_CNT_OTHER] - a->counts[E2E_CNT_OTHER];
	__u64 bad = b->counts[E2E_CNT_BAD] - a->counts[E2E_CNT_BAD];
	__u64 offered = b->offered - a->offered;

	printf("{\"rate_asked\":%.0f,\"flows\":%u,\"seconds\":%.4f,\"offered\":%llu,"
	       "\"offered_pps\":%.0f,\"runs_pps\":%.0f,\"late_bursts\":%llu,"
	       "\"translated\":%llu,\"untranslated\":%llu,\"bad_checksum\":%llu,"
	       "\"translated_pps\":%.0f,\"untranslated_pps\":%.0f,"
	       "\"napi_ns\":%lld,\"sink_ns\":%lld,\"spinner_ns\":%lld,\"cpu_busy_ns\":[",
	       o->rate, o->flows, secs, (unsigned long long)offered, offered / secs,
	       (b->runs - a->runs) / secs,
	       (unsigned long long)(b->late - a->late), (unsigned long long)translated,
	       (unsigned long long)other, (unsigned long long)bad, translated / secs,
	       other / secs, b->napi - a->napi, b->sink - a->sink, b->spin - a->spin);
	for (int i = 0; i < b->cpu.n && i < a->cpu.n; i++)
		printf("%s%lld", i ? "," : "", b->cpu.busy_ns[i] - a->cpu.busy_ns[i]);
	printf("]}\n");
}

int main(int argc, char **argv)
{
	struct options o;
	struct e2e_nat *skel = NULL;
	struct bpf_link *link = NULL, *fwd = NULL;
	struct generator gen = { 0 };
	struct spinner spin = { .cpu = -1 };
	struct sample a, b;
	bool started = false;
	__u8 frame[256];
	__u32 len;
	int ifindex, ret;
	cpu_set_t set;

	if (parse_args(argc, argv, &o))
		return 2;
	CPU_ZERO(&set);
	CPU_SET(o.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("nat_e2e: pinning the generator");
		return 1;
	}
	skel = e2e_nat__open_and_load();
	if (!skel) {
		fprintf(stderr, "nat_e2e: loading the programs: %s\n", strerror(errno));
		return 1;
	}
	ret = build_frame(&o, skel, frame, &len);
	if (ret) {
		fprintf(stderr, "nat_e2e: cannot build the frame\n");
		goto out;
	}
	ret = enter_netns(o.sink_ns);
	if (ret)
		goto out;
	ifindex = (int)if_nametoindex(o.sink_dev);
	link = ifindex ? bpf_program__attach_xdp(skel->progs.e2e_sink, ifindex) : NULL;
	if (!link) {
		ret = -errno;
		fprintf(stderr, "nat_e2e: attaching the sink to %s: %s\n", o.sink_dev,
			strerror(errno));
		goto out;
	}
	if (o.fwd_ns) {
		ret = enter_netns(o.fwd_ns);
		if (ret)
			goto out;
		skel->bss->fwd_ifindex = if_nametoindex(o.fwd_to);
		ifindex = (int)if_nametoindex(o.fwd_dev);
		fwd = ifindex && skel->bss->fwd_ifindex ?
			      bpf_program__attach_xdp(skel->progs.e2e_fwd, ifindex) : NULL;
		if (!fwd) {
			ret = -errno;
			fprintf(stderr, "nat_e2e: attaching the forwarder to %s: %s\n",
				o.fwd_dev, strerror(errno));
			goto out;
		}
	}
	ret = enter_netns(o.gen_ns);
	if (ret)
		goto out;
	ifindex = (int)if_nametoindex(o.gen_dev);
	if (!ifindex) {
		ret = -ENODEV;
		fprintf(stderr, "nat_e2e: no %s in %s\n", o.gen_dev, o.gen_ns);
		goto out;
	}
	skel->bss->gen_ifindex = (__u32)ifindex;
	skel->bss->gen_burst_ns = o.rate > 0 ? (__u64)(E2E_BURST * 1e9 / o.rate) : 0;

	gen = (struct generator){ .prog_fd = bpf_program__fd(skel->progs.e2e_gen),
				  .ifindex = ifindex, .frame = frame, .len = len,
				  .repeats = INT_MAX };
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_stop }, NULL);
	ret = -pthread_create(&gen.thread, NULL, generator_main, &gen);
	if (ret) {
		fprintf(stderr, "nat_e2e: starting the generator: %s\n", strerror(-ret));
		goto out;
	}
	started = true;
	if (o.awake_cpu >= 0) {
		spin.cpu = o.awake_cpu;
		if (pthread_create(&spin.thread, NULL, spinner_main, &spin))
			spin.cpu = -1;
	}
	usleep((useconds_t)(RAMP_S * 1e6));
	ret = take_sample(skel, &o, spin.cpu >= 0 ? spin.tid : 0, &a);
	if (!ret) {
		usleep((useconds_t)(o.duration * 1e6));
		ret = take_sample(skel, &o, spin.cpu >= 0 ? spin.tid : 0, &b);
	}
	if (spin.cpu >= 0) {
		spin.stop = 1;
		pthread_join(spin.thread, NULL);
	}
	stop_generator(skel, &gen);
	started = false;
	if (!ret && gen.ret)
		ret = gen.ret;
	if (ret) {
		fprintf(stderr, "nat_e2e: measuring failed: %s\n", strerror(-ret));
		goto out;
	}
	report(&o, &a, &b);
out:
	if (started)
		stop_generator(skel, &gen);
	bpf_link__destroy(fwd);
	bpf_link__destroy(link);
	e2e_nat__destroy(skel);
	return ret ? 1 : 0;
}
