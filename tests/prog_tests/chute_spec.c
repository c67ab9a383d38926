// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chute settings and specs (sandbox/settings.c, bundle.c, runtime_spec.c,
 * seccomp.c, settings_file.c): every setting's good and bad values, what a
 * bundle may not ask for, the hardening of the generated spec, and
 * settings files. Unprivileged: bundles are temporary directories, removed
 * whether the test passed or not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/test.h"
#include "../../sandbox/ids.h"
#include "../../sandbox/bundle.h"
#include "../../sandbox/runtime_spec.h"
#include "../../sandbox/settings.h"
#include "../../sandbox/settings_file.h"

static const char minimal_config[] =
	"{\n"
	"  \"ociVersion\": \"1.0.2\",\n"
	"  \"process\": {\n"
	"    \"args\": [\"/bin/app\", \"--serve\"],\n"
	"    \"env\": [\"PATH=/usr/bin:/bin\", \"MODE=prod\"],\n"
	"    \"cwd\": \"/srv\",\n"
	"    \"user\": { \"uid\": 1000, \"gid\": 1001, \"additionalGids\": [27] }\n"
	"  },\n"
	"  \"root\": { \"path\": \"rootfs\", \"readonly\": false }\n"
	"}\n";

static const char *const allowed[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETGID", "CAP_SETUID",
};

static bool settings_equal(const struct chute_settings *a,
			   const struct chute_settings *b)
{
	if (a->cpu_milli != b->cpu_milli || a->cpu_weight != b->cpu_weight ||
	    a->memory != b->memory || a->pids != b->pids ||
	    a->up_rate != b->up_rate || a->up_ceil != b->up_ceil ||
	    a->down_rate != b->down_rate || a->down_ceil != b->down_ceil ||
	    a->prio != b->prio || a->restart != b->restart ||
	    a->writable_rootfs != b->writable_rootfs ||
	    a->n_forwards != b->n_forwards || a->n_env != b->n_env)
		return false;
	for (int i = 0; i < a->n_forwards; i++) {
		if (a->forwards[i].proto != b->forwards[i].proto ||
		    a->forwards[i].wan_port != b->forwards[i].wan_port ||
		    a->forwards[i].chute_port != b->forwards[i].chute_port)
			return false;
	}
	for (int i = 0; i < a->n_env; i++) {
		if (strcmp(a->env[i], b->env[i]))
			return false;
	}
	return true;
}


static bool write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	return !fclose(f) && ok;
}

/* A temporary bundle: DIR/rootfs, and DIR/config.json when @config. */
static bool bundle_make(char *dir, size_t size, const char *config)
{
	char path[512];

	snprintf(dir, size, "/tmp/hearth-chute-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return false;
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	if (!ASSERT_OK(mkdir(path, 0755), "mkdir rootfs"))
		return false;
	return !config || ASSERT_TRUE(write_file(dir, "config.json", config),
				      "write config.json");
}

static int read_config(const char *config, struct chute_settings *s,
		       struct hearth_err *err)
{
	char dir[64];
	int ret = -1;

	chute_settings_defaults(s);
	if (bundle_make(dir, sizeof(dir), config))
		ret = chute_bundle_read(dir, s, err);
	test__tree_remove(dir);
	return ret;
}

/* minimal_config with PARENT.KEY (dotted; "" is the top) set to @value. */
static char *config_with(const char *parent, const char *key, const char *value)
{
	struct json_object *root = json_tokener_parse(minimal_config), *obj, *next;
	char path[128], *part, *rest = path;
	char *text;

	obj = root;
	snprintf(path, sizeof(path), "%s", parent);
	while ((part = strsep(&rest, ".")) && *part) {
		if (!json_object_object_get_ex(obj, part, &next) || !next) {
			next = json_object_new_object();
			json_object_object_add(obj, part, next);
		}
		obj = next;
	}
	json_object_object_add(obj, key, json_tokener_parse(value));
	text = strdup(json_object_to_json_string(root));
	json_object_put(root);
	return text;
}

static int read_config_with(const char *parent, const char *key,
			    const char *value, struct hearth_err *err)
{
	struct chute_settings s;
	char *config = config_with(parent, key, value);
	int ret = read_config(config, &s, err);

	free(config);
	return ret;
}

TEST(chute_spec_names)
{
	ASSERT_TRUE(chute_name_ok("web"), "web");
	ASSERT_TRUE(chute_name_ok("0"), "one digit");
	ASSERT_TRUE(chute_name_ok("a-b-9"), "dashes inside");
	ASSERT_TRUE(chute_name_ok("abcdefghijkl"), "12 characters");
	ASSERT_TRUE(chute_name_ok("a-"), "trailing dash");
	ASSERT_TRUE(!chute_name_ok("abcdefghijklm"), "13 characters");
	ASSERT_TRUE(!chute_name_ok(""), "empty");
	ASSERT_TRUE(!chute_name_ok("a/b"), "slash");
	ASSERT_TRUE(!chute_name_ok(".."), "dot dot");
	ASSERT_TRUE(!chute_name_ok("a..b"), "dots");
	ASSERT_TRUE(!chute_name_ok("Web"), "uppercase");
	ASSERT_TRUE(!chute_name_ok("-web"), "leading dash");
	ASSERT_TRUE(!chute_name_ok("we b"), "space");
	ASSERT_TRUE(!chute_name_ok("web_1"), "underscore");
}

TEST(chute_spec_defaults)
{
	struct chute_settings s;

	memset(&s, 0xa5, sizeof(s));
	chute_settings_defaults(&s);
	ASSERT_EQ(s.cpu_milli, 1000, "cpu_milli");
	ASSERT_EQ(s.cpu_weight, 0, "cpu_weight");
	ASSERT_EQ(s.memory, 128ull << 20, "memory");
	ASSERT_EQ(s.pids, 128, "pids");
	ASSERT_EQ(s.prio, 4, "prio");
	ASSERT_EQ(s.restart, CHUTE_RESTART_ON_FAILURE, "restart");
	ASSERT_TRUE(!s.writable_rootfs, "read-only rootfs");
	ASSERT_EQ(s.up_rate | s.up_ceil | s.down_rate | s.down_ceil, 0, "no rates");
	ASSERT_EQ(s.n_forwards, 0, "no forwards");
	ASSERT_EQ(s.n_env, 0, "no env");
	ASSERT_OK(chute_settings_check(&s, NULL), "defaults pass the check");
}

static void set_ok(struct chute_settings *s, const char *key, const char *value)
{
	struct hearth_err err = {};
	char what[128];

	snprintf(what, sizeof(what), "%s %s", key, value);
	if (!ASSERT_OK(chute_setting_set(s, key, value, &err), what))
		printf("  (%s)\n", err.msg);
}

TEST(chute_spec_settings_good)
{
	struct chute_settings s;

	chute_settings_defaults(&s);
	set_ok(&s, "cpus", "0.5");
	ASSERT_EQ(s.cpu_milli, 500, "cpus 0.5");
	set_ok(&s, "cpus", "2");
	ASSERT_EQ(s.cpu_milli, 2000, "cpus 2");
	set_ok(&s, "cpus", "0.01");
	ASSERT_EQ(s.cpu_milli, 10, "cpus 0.01");
	set_ok(&s, "cpus", "64");
	ASSERT_EQ(s.cpu_milli, 64000, "cpus 64");
	set_ok(&s, "cpus", "1.125");
	ASSERT_EQ(s.cpu_milli, 1125, "cpus 1.125");
	set_ok(&s, "cpu-weight", "250");
	ASSERT_EQ(s.cpu_weight, 250, "cpu-weight");
	set_ok(&s, "memory", "64M");
	ASSERT_EQ(s.memory, 64ull << 20, "memory 64M");
	set_ok(&s, "memory", "2g");
	ASSERT_EQ(s.memory, 2ull << 30, "memory 2g");
	set_ok(&s, "memory", "8192kb");
	ASSERT_EQ(s.memory, 8ull << 20, "memory 8192kb");
	set_ok(&s, "memory", "4194304");
	ASSERT_EQ(s.memory, 4ull << 20, "memory in bytes");
	set_ok(&s, "pids", "8");
	ASSERT_EQ(s.pids, 8, "pids");
	set_ok(&s, "up-rate", "10mbit");
	ASSERT_EQ(s.up_rate, 10000000, "up-rate");
	set_ok(&s, "up-ceil", "2.5gbit");
	ASSERT_EQ(s.up_ceil, 2500000000ull, "up-ceil");
	set_ok(&s, "down-rate", "640kbit");
	ASSERT_EQ(s.down_rate, 640000, "down-rate");
	set_ok(&s, "down-ceil", "100mbit");
	ASSERT_EQ(s.down_ceil, 100000000, "down-ceil");
	set_ok(&s, "priority", "7");
	ASSERT_EQ(s.prio, 7, "priority");
	set_ok(&s, "restart", "always");
	ASSERT_EQ(s.restart, CHUTE_RESTART_ALWAYS, "restart always");
	set_ok(&s, "restart", "no");
	ASSERT_EQ(s.restart, CHUTE_RESTART_NO, "restart no");
	set_ok(&s, "rootfs", "writable");
	ASSERT_TRUE(s.writable_rootfs, "rootfs writable");
	set_ok(&s, "rootfs", "read-only");
	ASSERT_TRUE(!s.writable_rootfs, "rootfs read-only");
	set_ok(&s, "forward", "tcp:8080:80");
	set_ok(&s, "forward", "udp:8080:53");
	ASSERT_EQ(s.n_forwards, 2, "two forwards");
	ASSERT_EQ(s.forwards[1].proto, IPPROTO_UDP, "forward proto");
	ASSERT_EQ(s.forwards[1].wan_port, 8080, "forward WAN port");
	ASSERT_EQ(s.forwards[1].chute_port, 53, "forward chute port");
	set_ok(&s, "env", "A=1");
	set_ok(&s, "env", "B=");
	set_ok(&s, "env", "A=x=y");
	ASSERT_EQ(s.n_env, 2, "replaced, not added");
	ASSERT_STRHAS(s.env[0], "A=x=y", "A replaced in place");
	ASSERT_OK(chute_settings_check(&s, NULL), "check");
}

static const struct {
	const char *key, *value, *want;
} bad_settings[] = {
	{ "cpus", "0", "cpus: '0' is not a number of CPUs" },
	{ "cpus", "0.001", "cpus: '0.001' is not a number of CPUs" },
	{ "cpus", "65", "(0.01 to 64" },
	{ "cpus", "0.0005", "cpus: '0.0005'" },
	{ "cpus", "1.", "cpus: '1.'" },
	{ "cpus", ".5", "cpus: '.5'" },
	{ "cpus", "-1", "cpus: '-1'" },
	{ "cpus", "1e2", "cpus: '1e2'" },
	{ "cpus", "99999999999999999999999", "cpus: '9999" },
	{ "cpu-weight", "0", "cpu-weight: '0' is not a CPU weight (1 to 10000)" },
	{ "cpu-weight", "10001", "cpu-weight: '10001'" },
	{ "cpu-weight", "ten", "cpu-weight: 'ten'" },
	{ "memory", "12Q", "memory: '12Q' is not a size (e.g. 64M)" },
	{ "memory", "", "memory: '' is not a size" },
	{ "memory", "3m", "memory: '3m' is below the minimum of 4M" },
	{ "memory", "2048g", "memory: '2048g' is above the maximum" },
	{ "memory", "99999999999999999999999", "is above the maximum" },
	{ "pids", "7", "pids: '7' is not a number of processes (8 to 65536)" },
	{ "pids", "65537", "pids: '65537'" },
	{ "pids", "+9", "pids: '+9'" },
	{ "up-rate", "fast", "up-rate: 'fast' is not a rate (e.g. 20mbit)" },
	{ "up-ceil", "1bit", "up-ceil: '1bit' is out of range (8kbit to 100gbit)" },
	{ "down-rate", "10mb", "down-rate: '10mb' is not a rate" },
	{ "down-ceil", "200gbit", "down-ceil: '200gbit' is out of range" },
	{ "priority", "0", "priority: '0' is not a priority (1 to 7)" },
	{ "priority", "8", "priority: '8'" },
	{ "restart", "sometimes", "restart: 'sometimes' is not a restart policy (no, on-failure or always)" },
	{ "rootfs", "rw", "rootfs: 'rw' is not read-only or writable" },
	{ "forward", "tcp:8080", "forward: 'tcp:8080' is not PROTO:WAN_PORT:CHUTE_PORT (e.g. tcp:8080:80)" },
	{ "forward", "sctp:1:1", "forward: 'sctp:1:1'" },
	{ "forward", "tcp:0:80", "forward: 'tcp:0:80'" },
	{ "forward", "tcp:80:65536", "forward: 'tcp:80:65536'" },
	{ "forward", "tcp:80:80:80", "forward: 'tcp:80:80:80'" },
	{ "env", "NOVALUE", "env: 'NOVALUE' is not KEY=VALUE" },
	{ "env", "=x", "env: '=x'" },
	{ "env", "A B=x", "env: 'A B=x'" },
	{ "foo", "1", "unknown setting 'foo'" },
	{ "", "1", "unknown setting ''" },
};

TEST(chute_spec_settings_bad)
{
	for (size_t i = 0; i < sizeof(bad_settings) / sizeof(bad_settings[0]); i++) {
		struct chute_settings s, before;
		struct hearth_err err = {};
		char what[128];

		chute_settings_defaults(&s);
		before = s;
		snprintf(what, sizeof(what), "%s '%s'", bad_settings[i].key,
			 bad_settings[i].value);
		ASSERT_EQ(chute_setting_set(&s, bad_settings[i].key,
					    bad_settings[i].value, &err),
			  -EINVAL, what);
		ASSERT_STRHAS(err.msg, bad_settings[i].want, what);
		ASSERT_TRUE(settings_equal(&s, &before), "settings unchanged");
	}
}

TEST(chute_spec_settings_limits)
{
	struct hearth_err err = {};
	struct chute_settings s;
	char text[CHUTE_ENV_LEN + 8];

	chute_settings_defaults(&s);
	set_ok(&s, "forward", "tcp:80:80");
	ASSERT_EQ(chute_setting_set(&s, "forward", "tcp:80:8080", &err), -EINVAL,
		  "duplicate forward");
	ASSERT_STRHAS(err.msg, "forward: tcp port 80 is already forwarded", "message");
	for (int i = 1; i < CHUTE_MAX_FORWARDS; i++) {
		snprintf(text, sizeof(text), "udp:%d:%d", 1000 + i, i);
		set_ok(&s, "forward", text);
	}
	ASSERT_EQ(chute_setting_set(&s, "forward", "udp:2000:1", &err), -EINVAL,
		  "one forward too many");
	ASSERT_STRHAS(err.msg, "forward: at most 8 forwards", "message");

	for (int i = 0; i < CHUTE_MAX_ENV; i++) {
		snprintf(text, sizeof(text), "V%d=%d", i, i);
		set_ok(&s, "env", text);
	}
	set_ok(&s, "env", "V3=replaced");
	ASSERT_EQ(chute_setting_set(&s, "env", "ONE_MORE=1", &err), -EINVAL,
		  "one variable too many");
	ASSERT_STRHAS(err.msg, "env: at most 32 variables", "message");
	memset(text, 'x', sizeof(text));
	memcpy(text, "LONG=", 5);
	text[CHUTE_ENV_LEN] = '\0';
	ASSERT_EQ(chute_setting_set(&s, "env", text, &err), -EINVAL, "too long");
	ASSERT_STRHAS(err.msg, "env: LONG: longer than 255 characters", "message");

	chute_settings_defaults(&s);
	set_ok(&s, "up-rate", "50mbit");
	set_ok(&s, "up-ceil", "20mbit");
	ASSERT_EQ(chute_settings_check(&s, &err), -EINVAL, "rate above ceil");
	ASSERT_STRHAS(err.msg, "up-rate (50mbit) is above up-ceil (20mbit)", "message");
}

TEST(chute_spec_bundle_minimal)
{
	static const char annotated[] =
		"{ \"process\": { \"args\": [\"/app\"] },\n"
		"  \"root\": { \"path\": \"rootfs\" },\n"
		"  \"annotations\": {\n"
		"    \"org.opencontainers.image.title\": \"ignored\",\n"
		"    \"io.hearth.cpus\": \"0.25\",\n"
		"    \"io.hearth.memory\": \"64M\",\n"
		"    \"io.hearth.pids\": \"256\",\n"
		"    \"io.hearth.up-ceil\": \"20mbit\",\n"
		"    \"io.hearth.priority\": \"2\",\n"
		"    \"io.hearth.restart\": \"always\",\n"
		"    \"io.hearth.rootfs\": \"writable\",\n"
		"    \"io.hearth.forward\": \"tcp:8080:80, udp:5353:53\",\n"
		"    \"io.hearth.env\": \"MODE=test\"\n"
		"  } }\n";
	struct hearth_err err = {};
	struct chute_settings s;

	if (!ASSERT_OK(read_config(minimal_config, &s, &err), err.msg))
		return;
	ASSERT_EQ(s.memory, 128ull << 20, "no annotations: defaults");
	if (!ASSERT_OK(read_config(annotated, &s, &err), err.msg))
		return;
	ASSERT_EQ(s.cpu_milli, 250, "cpus");
	ASSERT_EQ(s.memory, 64ull << 20, "memory");
	ASSERT_EQ(s.pids, 256, "pids");
	ASSERT_EQ(s.up_ceil, 20000000, "up-ceil");
	ASSERT_EQ(s.prio, 2, "priority");
	ASSERT_EQ(s.restart, CHUTE_RESTART_ALWAYS, "restart");
	ASSERT_TRUE(s.writable_rootfs, "rootfs");
	ASSERT_EQ(s.n_forwards, 2, "forwards");
	ASSERT_EQ(s.forwards[0].proto, IPPROTO_TCP, "first forward proto");
	ASSERT_EQ(s.forwards[0].wan_port, 8080, "first forward WAN port");
	ASSERT_EQ(s.forwards[1].chute_port, 53, "second forward chute port");
	ASSERT_EQ(s.n_env, 1, "env");
	ASSERT_STRHAS(s.env[0], "MODE=test", "env value");
}

TEST(chute_spec_bundle_forward_annotation_replaces)
{
	char dir[64];
	struct hearth_err err = {};
	struct chute_settings s;
	char *config = config_with("annotations", "io.hearth.forward", "\"udp:53:53\"");

	chute_settings_defaults(&s);
	set_ok(&s, "forward", "tcp:1:1");
	set_ok(&s, "forward", "tcp:2:2");
	if (bundle_make(dir, sizeof(dir), config) &&
	    ASSERT_OK(chute_bundle_read(dir, &s, &err), err.msg)) {
		ASSERT_EQ(s.n_forwards, 1, "the list replaced the forwards");
		ASSERT_EQ(s.forwards[0].proto, IPPROTO_UDP, "the annotation's");
	}
	test__tree_remove(dir);
	free(config);
	config = config_with("annotations", "io.hearth.forward", "\"\"");
	if (bundle_make(dir, sizeof(dir), config) &&
	    ASSERT_OK(chute_bundle_read(dir, &s, &err), err.msg))
		ASSERT_EQ(s.n_forwards, 0, "empty list: none");
	test__tree_remove(dir);
	free(config);
}

static const struct {
	const char *parent, *key, *value, *want;
} bad_annotations[] = {
	{ "annotations", "io.hearth.memory", "\"12Q\"",
	  "config.json: annotations.io.hearth.memory: '12Q' is not a size (e.g. 64M)" },
	{ "annotations", "io.hearth.foo", "\"1\"",
	  "config.json: annotations.io.hearth.foo: unknown setting" },
	{ "annotations", "io.hearth.pids", "64",
	  "config.json: annotations.io.hearth.pids: not a string" },
	{ "annotations", "io.hearth.forward", "\"tcp:80:80,tcp:80:81\"",
	  "config.json: annotations.io.hearth.forward: tcp port 80 is already forwarded" },
	{ "annotations", "io.hearth.forward", "\"tcp:80:80,\"",
	  "config.json: annotations.io.hearth.forward: '' is not" },
	{ "annotations", "io.hearth.down-rate", "\"50mbit\"", NULL },
	{ "", "annotations", "[1]", "config.json: annotations: not an object" },
};

TEST(chute_spec_bundle_bad_annotations)
{
	for (size_t i = 0; i < sizeof(bad_annotations) / sizeof(bad_annotations[0]); i++) {
		struct hearth_err err = {};
		const char *want = bad_annotations[i].want;
		int ret = read_config_with(bad_annotations[i].parent,
					   bad_annotations[i].key,
					   bad_annotations[i].value, &err);

		/* a rate alone is fine; with a lower ceiling it is refused */
		if (!want) {
			ASSERT_OK(ret, err.msg);
			continue;
		}
		ASSERT_EQ(ret, -EINVAL, bad_annotations[i].key);
		ASSERT_STRHAS(err.msg, want, bad_annotations[i].key);
	}
}

TEST(chute_spec_bundle_rate_above_ceil)
{
	static const char config[] =
		"{ \"process\": { \"args\": [\"/app\"] },\n"
		"  \"root\": { \"path\": \"rootfs\" },\n"
		"  \"annotations\": { \"io.hearth.down-rate\": \"50mbit\",\n"
		"                   \"io.hearth.down-ceil\": \"20mbit\" } }\n";
	struct hearth_err err = {};
	struct chute_settings s;

	ASSERT_EQ(read_config(config, &s, &err), -EINVAL, "refused");
	ASSERT_STRHAS(err.msg, "config.json: annotations: down-rate (50mbit) is above down-ceil (20mbit)",
		      "message");
}

static const struct {
	const char *parent, *key, *value, *want;
} refusals[] = {
	{ "process.capabilities", "bounding", "[\"CAP_CHOWN\", \"CAP_SYS_ADMIN\"]",
	  "config.json: process.capabilities.bounding: CAP_SYS_ADMIN is not allowed (allowed: CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_SETGID, CAP_SETUID)" },
	{ "process.capabilities", "effective", "[\"CAP_NET_ADMIN\"]",
	  "process.capabilities.effective: CAP_NET_ADMIN is not allowed" },
	{ "process.capabilities", "permitted", "[\"CAP_SYS_PTRACE\"]",
	  "process.capabilities.permitted: CAP_SYS_PTRACE is not allowed" },
	{ "process.capabilities", "inheritable", "[\"CAP_NET_RAW\"]",
	  "process.capabilities.inheritable: CAP_NET_RAW is not allowed" },
	{ "process.capabilities", "ambient", "[\"CAP_SYS_MODULE\"]",
	  "process.capabilities.ambient: CAP_SYS_MODULE is not allowed" },
	{ "process.capabilities", "bounding", "\"CAP_CHOWN\"",
	  "process.capabilities.bounding: not an array of strings" },
	{ "", "hooks", "{ \"prestart\": [ { \"path\": \"/bin/sh\" } ] }",
	  "config.json: hooks.prestart: hooks are not allowed" },
	{ "", "hooks", "[]", "config.json: hooks: hooks are not allowed" },
	{ "linux", "devices", "[ { \"path\": \"/dev/sda\", \"type\": \"b\", \"major\": 8, \"minor\": 0 } ]",
	  "config.json: linux.devices: devices are not allowed" },
	{ "linux", "namespaces",
	  "[ {\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"} ]",
	  "config.json: linux.namespaces[2]: joining an existing namespace (path) is not allowed" },
	{ "linux", "namespaces",
	  "[ {\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"} ]",
	  "config.json: linux.namespaces: no network namespace" },
	{ "linux", "namespaces",
	  "[ {\"type\": \"network\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"} ]",
	  "config.json: linux.namespaces: no pid namespace" },
	{ "linux", "uidMappings", "[ { \"containerID\": 0, \"hostID\": 0, \"size\": 65536 } ]",
	  "config.json: linux.uidMappings: a chute's ids are mapped by hearth (ids 0-65535, a block of its own)" },
	{ "linux", "gidMappings", "[ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ]",
	  "config.json: linux.gidMappings: a chute's ids are mapped by hearth (ids 0-65535, a block of its own)" },
	{ "linux", "sysctl", "{ \"net.ipv4.ip_forward\": \"1\" }",
	  "config.json: linux.sysctl: sysctls are not allowed" },
	{ "", "mounts", "[ { \"destination\": \"/host\", \"type\": \"bind\", \"source\": \"/\" } ]",
	  "config.json: mounts[0]: bind mounts of host paths are not allowed (/host)" },
	{ "", "mounts",
	  "[ { \"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }, { \"destination\": \"/etc/x\", \"type\": \"none\", \"source\": \"/etc\", \"options\": [\"ro\", \"rbind\"] } ]",
	  "config.json: mounts[1]: bind mounts of host paths are not allowed (/etc/x)" },
	{ "", "mounts", "[ { \"destination\": \"/x\", \"source\": \"/x\", \"options\": [\"bind\"] } ]",
	  "config.json: mounts[0]: bind mounts" },
	{ "process", "terminal", "true", "config.json: process.terminal: a terminal is not allowed" },
	{ "process", "noNewPrivileges", "false",
	  "config.json: process.noNewPrivileges: false is not allowed" },
	{ "process", "args", "[]", "config.json: process.args: empty" },
	{ "process", "args", "[\"/app\", 1]", "config.json: process.args[1]: not a string" },
	{ "process", "args", "\"/app\"", "config.json: process.args: not an array of strings" },
	{ "process", "args", "null", "config.json: process.args: missing" },
	{ "", "process", "null", "config.json: process: missing" },
	{ "process", "env", "[\"NOEQUALS\"]", "config.json: process.env[0]: 'NOEQUALS' is not KEY=VALUE" },
	{ "process", "cwd", "\"srv\"", "config.json: process.cwd: not an absolute path" },
	{ "process.user", "uid", "-1", "config.json: process.user.uid: not a user id" },
	{ "process.user", "additionalGids", "[\"wheel\"]",
	  "config.json: process.user.additionalGids[0]: not a group id" },
	{ "root", "path", "\"/\"", "config.json: root.path: '/' is not a path relative to the bundle" },
	{ "root", "path", "\"rootfs/../..\"", "config.json: root.path: 'rootfs/../..' contains '..'" },
	{ "root", "path", "\"nothere\"", "config.json: root.path: 'nothere' is not a directory in the bundle" },
	{ "root", "path", "\".\"", "config.json: root.path: '.' leads out of the bundle" },
	{ "root", "path", "null", "config.json: root.path: missing" },
};

TEST(chute_spec_bundle_refusals)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct hearth_err err = {};
		char what[128];

		snprintf(what, sizeof(what), "%s.%s = %.40s", refusals[i].parent,
			 refusals[i].key, refusals[i].value);
		ASSERT_EQ(read_config_with(refusals[i].parent, refusals[i].key,
					   refusals[i].value, &err),
			  -EINVAL, what);
		ASSERT_STRHAS(err.msg, refusals[i].want, what);
	}
}

/* What is ignored or allowed must not be refused on the way. */
static const struct {
	const char *parent, *key, *value;
} accepted[] = {
	{ "linux", "seccomp", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }" },
	{ "linux", "resources", "{ \"memory\": { \"limit\": 1 }, \"devices\": [ { \"allow\": true, \"access\": \"rwm\" } ] }" },
	{ "linux", "namespaces",
	  "[ {\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"cgroup\"} ]" },
	{ "linux", "devices", "[]" },
	{ "linux", "sysctl", "{}" },
	{ "", "hooks", "{ \"prestart\": [] }" },
	{ "", "mounts", "[ { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" } ]" },
	{ "process", "terminal", "false" },
	{ "process", "noNewPrivileges", "true" },
	{ "process.capabilities", "bounding", "[\"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\"]" },
	{ "root", "path", "\"./rootfs/\"" },
};

TEST(chute_spec_bundle_accepted)
{
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		struct hearth_err err = {};
		char what[600];
		int ret = read_config_with(accepted[i].parent, accepted[i].key,
					   accepted[i].value, &err);

		snprintf(what, sizeof(what), "%s.%s: %s", accepted[i].parent,
			 accepted[i].key, err.msg);
		ASSERT_OK(ret, what);
	}
}

TEST(chute_spec_bundle_rootfs_symlink)
{
	struct hearth_err err = {};
	char dir[64], link[128], rootfs[4096];

	if (!bundle_make(dir, sizeof(dir), minimal_config))
		return;
	ASSERT_OK(chute_bundle_rootfs(dir, rootfs, sizeof(rootfs), &err), err.msg);
	ASSERT_STRHAS(rootfs, "/rootfs", "resolved rootfs");
	ASSERT_EQ(rootfs[0], '/', "absolute");
	snprintf(link, sizeof(link), "%s/rootfs", dir);
	rmdir(link);
	/* a symlink out of the bundle, to the host's root */
	if (ASSERT_OK(symlink("/", link), "symlink")) {
		ASSERT_EQ(chute_bundle_rootfs(dir, rootfs, sizeof(rootfs), &err),
			  -EINVAL, "symlink to /");
		ASSERT_STRHAS(err.msg, "config.json: root.path: 'rootfs' leads out of the bundle",
			      "message");
	}
	unlink(link);
	ASSERT_TRUE(write_file(dir, "rootfs", "a file\n"), "rootfs as a file");
	ASSERT_EQ(chute_bundle_rootfs(dir, rootfs, sizeof(rootfs), &err), -EINVAL,
		  "a file");
	ASSERT_STRHAS(err.msg, "is not a directory in the bundle", "message");
	test__tree_remove(dir);
}

TEST(chute_spec_bundle_bad_files)
{
	struct hearth_err err = {};
	struct chute_settings s;
	char dir[64], path[128];

	ASSERT_EQ(read_config("{ \"process\": ", &s, &err), -EINVAL, "truncated");
	ASSERT_STRHAS(err.msg, "config.json: not valid JSON: ", "message");
	ASSERT_EQ(read_config("{ \"a\": }", &s, &err), -EINVAL, "bad value");
	ASSERT_STRHAS(err.msg, "config.json: not valid JSON: unexpected character", "message");
	ASSERT_EQ(read_config("{} {}", &s, &err), -EINVAL, "two objects");
	ASSERT_STRHAS(err.msg, "config.json: not valid JSON: data after the object", "message");
	ASSERT_EQ(read_config("[1, 2]", &s, &err), -EINVAL, "an array");
	ASSERT_STRHAS(err.msg, "config.json: not a JSON object", "message");
	ASSERT_EQ(read_config("", &s, &err), -EINVAL, "empty");
	ASSERT_STRHAS(err.msg, "config.json: not valid JSON", "message");
	ASSERT_EQ(read_config(NULL, &s, &err), -ENOENT, "missing");
	ASSERT_STRHAS(err.msg, "config.json: missing", "message");

	if (!bundle_make(dir, sizeof(dir), NULL))
		return;
	snprintf(path, sizeof(path), "%s/config.json", dir);
	ASSERT_OK(mkdir(path, 0755), "config.json as a directory");
	ASSERT_EQ(chute_bundle_read(dir, &s, &err), -EINVAL, "a directory");
	ASSERT_STRHAS(err.msg, "config.json: not a regular file", "message");
	test__tree_remove(dir);
}

/* ---- the generated spec ---- */

struct spec_run {
	char dir[64], data[128], out[128], rootfs[128];
	struct chute_spec_paths p;
	struct json_object *spec;
};

static bool spec_make(struct spec_run *r, const char *config,
		      const struct chute_settings *s)
{
	struct hearth_err err = {};

	memset(r, 0, sizeof(*r));
	if (!bundle_make(r->dir, sizeof(r->dir), config))
		return false;
	snprintf(r->data, sizeof(r->data), "%s/data", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/spec.json", r->dir);
	snprintf(r->rootfs, sizeof(r->rootfs), "%s/rootfs", r->dir);
	r->p = (struct chute_spec_paths){ .name = "web", .rootfs = r->rootfs,
					  .data_dir = r->data,
					  .netns = "/run/netns/hearth-web",
					  .cgroup = "/hearth/web",
					  .id_base = CHUTE_IDS_FIRST + 3 * CHUTE_IDS_SIZE };
	if (!ASSERT_OK(chute_spec_write(r->dir, &r->p, s, r->out, &err), err.msg))
		return false;
	r->spec = json_object_from_file(r->out);
	return ASSERT_TRUE(r->spec != NULL, "spec parses back");
}

static void spec_done(struct spec_run *r)
{
	json_object_put(r->spec);
	test__tree_remove(r->dir);
}

/* The value at a '/'-separated path of members and array indexes. */
static struct json_object *at(struct json_object *obj, const char *path)
{
	char buf[128], *part, *rest = buf;

	snprintf(buf, sizeof(buf), "%s", path);
	while (obj && (part = strsep(&rest, "/"))) {
		if (json_object_is_type(obj, json_type_array))
			obj = json_object_array_get_idx(obj, (size_t)atoi(part));
		else if (!json_object_object_get_ex(obj, part, &obj))
			obj = NULL;
	}
	return obj;
}

static const char *at_str(struct json_object *obj, const char *path)
{
	struct json_object *v = at(obj, path);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "(none)";
}

static long long at_int(struct json_object *obj, const char *path)
{
	struct json_object *v = at(obj, path);

	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
}

static bool at_bool(struct json_object *obj, const char *path, bool want)
{
	struct json_object *v = at(obj, path);

	return json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v) == want;
}

static bool array_has(struct json_object *arr, const char *s)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	}
	return false;
}

static void check_caps(struct json_object *spec)
{
	static const char *const granted[] = { "bounding", "effective", "permitted" };
	char path[64];

	for (size_t i = 0; i < 3; i++) {
		struct json_object *set;

		snprintf(path, sizeof(path), "process/capabilities/%s", granted[i]);
		set = at(spec, path);
		if (!ASSERT_EQ(json_object_array_length(set), 7, path))
			continue;
		for (size_t j = 0; j < 7; j++)
			ASSERT_TRUE(array_has(set, allowed[j]), allowed[j]);
	}
	ASSERT_EQ(json_object_array_length(at(spec, "process/capabilities/inheritable")),
		  0, "no inheritable capabilities");
	ASSERT_TRUE(at(spec, "process/capabilities/inheritable") != NULL, "inheritable listed");
	ASSERT_EQ(json_object_array_length(at(spec, "process/capabilities/ambient")),
		  0, "no ambient capabilities");
}

/* Only /data binds, and from the chute's data directory. */
static void check_mounts(struct json_object *spec, const char *data)
{
	struct json_object *mounts = at(spec, "mounts");
	int binds = 0;

	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		struct json_object *opts = at(m, "options");
		bool bind = !strcmp(at_str(m, "type"), "bind") ||
			    array_has(opts, "bind") || array_has(opts, "rbind");

		if (!bind)
			continue;
		binds++;
		ASSERT_STRHAS(at_str(m, "destination"), "/data", "bind destination");
		ASSERT_EQ(strcmp(at_str(m, "source"), data), 0, "bind source");
		ASSERT_TRUE(array_has(opts, "nosuid") && array_has(opts, "nodev"),
			    "/data nosuid,nodev");
	}
	ASSERT_EQ(binds, 1, "one bind mount");
	ASSERT_EQ(json_object_array_length(mounts), 8, "mounts");
	ASSERT_STRHAS(at_str(spec, "mounts/6/destination"), "/tmp", "/tmp");
	ASSERT_TRUE(array_has(at(spec, "mounts/5/options"), "ro"), "/sys read-only");
}

static void check_namespaces(struct json_object *spec, const char *netns, __u32 base)
{
	static const char *const want[] = { "pid", "ipc", "uts", "mount", "cgroup", "user",
					    "network" };
	static const char *const maps[] = { "linux/uidMappings", "linux/gidMappings" };
	struct json_object *ns = at(spec, "linux/namespaces");

	if (!ASSERT_EQ(json_object_array_length(ns), 7, "namespaces"))
		return;
	for (size_t i = 0; i < 7; i++) {
		struct json_object *e = json_object_array_get_idx(ns, i);

		ASSERT_EQ(strcmp(at_str(e, "type"), want[i]), 0, want[i]);
		if (i < 6)
			ASSERT_TRUE(!at(e, "path"), "a new namespace");
	}
	ASSERT_EQ(strcmp(at_str(ns, "6/path"), netns), 0, "network namespace path");
	for (size_t i = 0; i < 2; i++) {
		struct json_object *m = at(spec, maps[i]);

		if (!ASSERT_EQ(json_object_array_length(m), 1, maps[i]))
			continue;
		ASSERT_EQ(at_int(m, "0/containerID"), 0, "ids from 0 in the chute");
		ASSERT_EQ(at_int(m, "0/hostID"), base, "to the chute's block");
		ASSERT_EQ(at_int(m, "0/size"), 65536, "65536 of them");
	}
}

static void check_env(struct json_object *spec)
{
	struct json_object *env = at(spec, "process/env");

	ASSERT_EQ(json_object_array_length(env), 3, "env entries");
	ASSERT_STRHAS(at_str(env, "0"), "PATH=/usr/bin:/bin", "bundle's PATH kept");
	ASSERT_EQ(strcmp(at_str(env, "1"), "MODE=test"), 0, "override replaced in place");
	ASSERT_TRUE(!array_has(env, "MODE=prod"), "bundle's MODE gone");
	ASSERT_EQ(strcmp(at_str(env, "2"), "EXTRA=1"), 0, "new variable appended");
}

/* The rule of linux.seccomp.syscalls naming @name, and how many do. */
static struct json_object *seccomp_rule(struct json_object *spec,
					const char *name, int *count)
{
	struct json_object *rules = at(spec, "linux/seccomp/syscalls"), *found = NULL;

	*count = 0;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		struct json_object *rule = json_object_array_get_idx(rules, i);

		if (array_has(at(rule, "names"), name)) {
			found = found ?: rule;
			(*count)++;
		}
	}
	return found;
}

static void check_denied(struct json_object *spec, const char *name, int err)
{
	int count;
	struct json_object *rule = seccomp_rule(spec, name, &count);

	if (!ASSERT_EQ(count, 1, name))
		return;
	ASSERT_STRHAS(at_str(rule, "action"), "SCMP_ACT_ERRNO", name);
	ASSERT_EQ(at_int(rule, "errnoRet"), err, name);
	if (strcmp(name, "clone"))
		ASSERT_TRUE(!at(rule, "args"), name);
}

static void check_seccomp(struct json_object *spec)
{
	static const char *const denied[] = {
		"unshare", "setns", "mount", "umount2", "pivot_root", "move_mount",
		"open_tree", "fsopen", "fsmount", "bpf", "perf_event_open",
		"userfaultfd", "io_uring_setup", "io_uring_enter", "keyctl",
		"add_key", "request_key", "open_by_handle_at", "ptrace",
		"process_vm_readv", "kexec_load", "init_module", "finit_module",
		"reboot", "swapon", "syslog", "clock_settime", "settimeofday",
	};
	/* what programs need, or what is harmless without capabilities */
	static const char *const allowed_calls[] = {
		"execve", "fork", "vfork", "socket", "bind", "wait4", "chroot",
		"personality", "adjtimex", "sethostname",
	};
#if defined(__x86_64__) || defined(__i386__)
	static const char *const archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
					     "SCMP_ARCH_X32" };
#elif defined(__aarch64__) || defined(__arm__)
	static const char *const archs[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM" };
#else
	static const char *const archs[] = { NULL };
#endif
	struct json_object *rules = at(spec, "linux/seccomp/syscalls"), *clone;
	int count;

	ASSERT_STRHAS(at_str(spec, "linux/seccomp/defaultAction"), "SCMP_ACT_ALLOW",
		      "seccomp: allowed unless listed");
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]) && archs[i]; i++)
		ASSERT_TRUE(array_has(at(spec, "linux/seccomp/architectures"), archs[i]),
			    archs[i]);
	ASSERT_EQ(json_object_array_length(at(spec, "linux/seccomp/architectures")),
		  archs[0] ? sizeof(archs) / sizeof(archs[0]) : 0, "architectures");
	if (!ASSERT_EQ(json_object_array_length(rules), 3, "seccomp rules"))
		return;
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		check_denied(spec, denied[i], EPERM);
	/* no rule may deny clone outright: every fork and thread is one */
	check_denied(spec, "clone", EPERM);
	clone = seccomp_rule(spec, "clone", &count);
	ASSERT_EQ(json_object_array_length(at(clone, "names")), 1, "clone alone");
	ASSERT_EQ(json_object_array_length(at(clone, "args")), 1, "clone: one condition");
	ASSERT_EQ(at_int(clone, "args/0/index"), 0, "clone: on its flags");
	ASSERT_STRHAS(at_str(clone, "args/0/op"), "SCMP_CMP_MASKED_EQ", "clone: op");
	ASSERT_EQ(at_int(clone, "args/0/value"), 0x10000000, "clone: CLONE_NEWUSER mask");
	ASSERT_EQ(at_int(clone, "args/0/valueTwo"), 0x10000000, "clone: CLONE_NEWUSER set");
	/* libc falls back to clone on ENOSYS, not on EPERM */
	check_denied(spec, "clone3", ENOSYS);
	for (size_t i = 0; i < sizeof(allowed_calls) / sizeof(allowed_calls[0]); i++) {
		seccomp_rule(spec, allowed_calls[i], &count);
		ASSERT_EQ(count, 0, allowed_calls[i]);
	}
}

TEST(chute_spec_write_hardened)
{
	struct chute_settings s;
	struct spec_run r;
	struct stat st;

	chute_settings_defaults(&s);
	set_ok(&s, "memory", "64M");
	set_ok(&s, "pids", "300");
	set_ok(&s, "cpus", "0.5");
	set_ok(&s, "env", "MODE=test");
	set_ok(&s, "env", "EXTRA=1");
	if (!spec_make(&r, minimal_config, &s))
		goto cleanup;
	ASSERT_STRHAS(at_str(r.spec, "ociVersion"), "1.0.2", "ociVersion");
	ASSERT_STRHAS(at_str(r.spec, "hostname"), "web", "hostname");
	ASSERT_EQ(strcmp(at_str(r.spec, "root/path"), r.rootfs), 0, "root.path");
	ASSERT_TRUE(at_bool(r.spec, "root/readonly", true), "read-only root by default");
	ASSERT_TRUE(at_bool(r.spec, "process/noNewPrivileges", true), "noNewPrivileges");
	ASSERT_TRUE(at_bool(r.spec, "process/terminal", false), "no terminal");
	check_caps(r.spec);
	ASSERT_STRHAS(at_str(r.spec, "process/rlimits/0/type"), "RLIMIT_NOFILE", "rlimit");
	ASSERT_EQ(at_int(r.spec, "process/rlimits/0/hard"), 1024, "nofile hard");
	ASSERT_STRHAS(at_str(r.spec, "process/args/1"), "--serve", "args");
	ASSERT_STRHAS(at_str(r.spec, "process/cwd"), "/srv", "cwd");
	ASSERT_EQ(at_int(r.spec, "process/user/uid"), 1000, "uid");
	ASSERT_EQ(at_int(r.spec, "process/user/gid"), 1001, "gid");
	ASSERT_EQ(at_int(r.spec, "process/user/additionalGids/0"), 27, "additional gid");
	check_env(r.spec);
	check_mounts(r.spec, r.data);
	check_namespaces(r.spec, r.p.netns, r.p.id_base);
	ASSERT_STRHAS(at_str(r.spec, "linux/cgroupsPath"), "/hearth/web", "cgroupsPath");
	ASSERT_EQ(at_int(r.spec, "linux/resources/memory/limit"), 64 << 20, "memory limit");
	ASSERT_EQ(at_int(r.spec, "linux/resources/memory/swap"), 64 << 20, "no swap");
	ASSERT_EQ(at_int(r.spec, "linux/resources/pids/limit"), 300, "pids limit");
	ASSERT_EQ(at_int(r.spec, "linux/resources/cpu/quota"), 50000, "cpu quota");
	ASSERT_EQ(at_int(r.spec, "linux/resources/cpu/period"), 100000, "cpu period");
	ASSERT_TRUE(!at(r.spec, "linux/resources/cpu/shares"), "no shares by default");
	ASSERT_TRUE(at_bool(r.spec, "linux/resources/devices/0/allow", false), "devices denied");
	ASSERT_STRHAS(at_str(r.spec, "linux/resources/devices/0/access"), "rwm", "all access");
	ASSERT_TRUE(array_has(at(r.spec, "linux/maskedPaths"), "/proc/kcore"), "masked kcore");
	ASSERT_TRUE(array_has(at(r.spec, "linux/readonlyPaths"), "/proc/sys"), "read-only /proc/sys");
	check_seccomp(r.spec);
	ASSERT_TRUE(!at(r.spec, "hooks") && !at(r.spec, "linux/devices") &&
		    !at(r.spec, "linux/sysctl"), "nothing else");
	ASSERT_OK(stat(r.out, &st), "stat spec");
	ASSERT_EQ(st.st_mode & 0777, 0600, "spec mode");
cleanup:
	spec_done(&r);
}

TEST(chute_spec_write_options)
{
	static const char bare[] =
		"{ \"process\": { \"args\": [\"/app\"] }, \"root\": { \"path\": \"rootfs\" },\n"
		"  \"linux\": { \"resources\": { \"memory\": { \"limit\": 1 } } } }";
	struct chute_settings s;
	struct spec_run r;

	chute_settings_defaults(&s);
	set_ok(&s, "rootfs", "writable");
	set_ok(&s, "cpu-weight", "200");
	if (!spec_make(&r, bare, &s))
		goto cleanup;
	ASSERT_TRUE(at_bool(r.spec, "root/readonly", false), "writable root");
	ASSERT_STRHAS(at_str(r.spec, "process/cwd"), "/", "default cwd");
	ASSERT_EQ(at_int(r.spec, "process/user/uid"), 0, "default uid");
	ASSERT_EQ(json_object_array_length(at(r.spec, "process/env")), 0, "no env");
	ASSERT_EQ(at_int(r.spec, "linux/resources/cpu/shares"), 2048, "weight 200 as shares");
	ASSERT_EQ(at_int(r.spec, "linux/resources/memory/limit"), 128 << 20,
		  "the bundle's limits ignored");
cleanup:
	spec_done(&r);
}

/* A bundle's own profile, looser or stricter, changes nothing. */
TEST(chute_spec_write_seccomp_ignores_bundle)
{
	static const char *const profiles[] = {
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }",
		"{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"bpf\", \"unshare\"], \"action\": \"SCMP_ACT_ALLOW\" } ] }",
		"{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"] }",
	};
	struct chute_settings s;
	struct spec_run want, r;

	chute_settings_defaults(&s);
	if (!spec_make(&want, minimal_config, &s))
		goto cleanup;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		char *config = config_with("linux", "seccomp", profiles[i]);

		if (spec_make(&r, config, &s)) {
			check_seccomp(r.spec);
			ASSERT_TRUE(json_object_equal(at(r.spec, "linux/seccomp"),
						      at(want.spec, "linux/seccomp")),
				    profiles[i]);
		}
		spec_done(&r);
		free(config);
	}
cleanup:
	spec_done(&want);
}

TEST(chute_spec_write_refusals)
{
	struct chute_settings s;
	struct hearth_err err = {};
	struct chute_spec_paths p = { .name = "web", .rootfs = "/r", .data_dir = "/d",
				      .netns = "/run/netns/x", .cgroup = "/hearth/web",
				      .id_base = CHUTE_IDS_FIRST };
	char dir[64], out[128];
	char *bad = config_with("process", "terminal", "true");

	chute_settings_defaults(&s);
	if (!bundle_make(dir, sizeof(dir), bad))
		goto cleanup;
	snprintf(out, sizeof(out), "%s/spec.json", dir);
	ASSERT_EQ(chute_spec_write(dir, &p, &s, out, &err), -EINVAL, "bundle refused");
	ASSERT_STRHAS(err.msg, "process.terminal", "message");
	ASSERT_TRUE(access(out, F_OK) != 0, "no spec written");
	ASSERT_TRUE(write_file(dir, "config.json", minimal_config), "good config");
	p.name = "../x";
	ASSERT_EQ(chute_spec_write(dir, &p, &s, out, &err), -EINVAL, "bad name");
	ASSERT_STRHAS(err.msg, "chute name '../x' is not valid", "message");
	p.name = "web";
	p.netns = "netns";
	ASSERT_EQ(chute_spec_write(dir, &p, &s, out, &err), -EINVAL, "relative netns");
	ASSERT_STRHAS(err.msg, "netns: 'netns' is not an absolute path", "message");
	p.netns = "/run/netns/x";
	p.id_base = 100000;
	ASSERT_EQ(chute_spec_write(dir, &p, &s, out, &err), -EINVAL, "id base not a block");
	ASSERT_STRHAS(err.msg, "id_base: 100000 is not a chute's id block", "message");
	p.id_base = CHUTE_IDS_FIRST + CHUTE_IDS_SIZE + 1;
	ASSERT_EQ(chute_spec_write(dir, &p, &s, out, &err), -EINVAL, "id base inside a block");
	p.id_base = CHUTE_IDS_FIRST;
	s.memory = 1;
	ASSERT_EQ(chute_spec_write(dir, &p, &s, out, &err), -EINVAL, "bad settings");
	ASSERT_STRHAS(err.msg, "memory: 1 is out of range", "message");
cleanup:
	test__tree_remove(dir);
	free(bad);
}

TEST(chute_spec_resources)
{
	struct chute_settings s;
	struct json_object *res;

	chute_settings_defaults(&s);
	s.cpu_milli = 0;
	s.cpu_weight = 100;
	res = chute_resources_json(&s);
	if (!ASSERT_TRUE(res != NULL, "resources"))
		return;
	ASSERT_EQ(at_int(res, "memory/limit"), 128 << 20, "memory limit");
	ASSERT_EQ(at_int(res, "memory/swap"), 128 << 20, "swap = limit");
	ASSERT_EQ(at_int(res, "cpu/shares"), 1024, "weight 100 is 1024 shares");
	ASSERT_TRUE(!at(res, "cpu/quota") && !at(res, "cpu/period"), "no quota");
	ASSERT_EQ(at_int(res, "pids/limit"), 128, "pids");
	ASSERT_TRUE(!at(res, "devices"), "devices only in the spec");
	json_object_put(res);
}

/* ---- settings files ---- */

TEST(chute_spec_settings_round_trip)
{
	struct chute_settings s, back;
	struct hearth_err err = {};
	char dir[64], path[128];
	struct stat st;

	snprintf(dir, sizeof(dir), "/tmp/hearth-chute-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/settings.json", dir);
	chute_settings_defaults(&s);
	set_ok(&s, "cpus", "1.5");
	set_ok(&s, "cpu-weight", "300");
	set_ok(&s, "memory", "3g");
	set_ok(&s, "pids", "1000");
	set_ok(&s, "up-rate", "5mbit");
	set_ok(&s, "up-ceil", "50mbit");
	set_ok(&s, "down-rate", "10mbit");
	set_ok(&s, "down-ceil", "100gbit");
	set_ok(&s, "priority", "6");
	set_ok(&s, "restart", "no");
	set_ok(&s, "rootfs", "writable");
	set_ok(&s, "forward", "tcp:443:8443");
	set_ok(&s, "forward", "udp:443:8443");
	set_ok(&s, "env", "TOKEN=a \"quoted\" value/with\\slash");
	set_ok(&s, "env", "EMPTY=");
	if (ASSERT_OK(chute_settings_save(&s, path, &err), err.msg) &&
	    ASSERT_OK(chute_settings_load(&back, path, &err), err.msg))
		ASSERT_TRUE(settings_equal(&s, &back), "loaded equals saved");
	ASSERT_OK(stat(path, &st), "stat");
	ASSERT_EQ(st.st_mode & 0777, 0600, "settings mode");

	chute_settings_defaults(&s);
	if (ASSERT_OK(chute_settings_save(&s, path, &err), err.msg) &&
	    ASSERT_OK(chute_settings_load(&back, path, &err), err.msg))
		ASSERT_TRUE(settings_equal(&s, &back), "defaults round trip");
	test__tree_remove(dir);
}

static const struct {
	const char *text, *want;
} bad_files[] = {
	{ "{ \"memory\": 5 }", "memory: 5 is not a number from 4194304" },
	{ "{ \"memory\": \"64M\" }", "memory: 64M is not a number" },
	{ "{ \"cpu_milli\": 5 }", "cpu_milli: 5 is not a number from 10 to 64000, or 0" },
	{ "{ \"prio\": 8 }", "prio: 8 is not a number from 1 to 7" },
	{ "{ \"pids\": -1 }", "pids: -1" },
	{ "{ \"restart\": \"sometimes\" }", "restart: not no, on-failure or always" },
	{ "{ \"writable_rootfs\": 1 }", "writable_rootfs: not a boolean" },
	{ "{ \"forwards\": [ { \"proto\": \"icmp\", \"wan_port\": 1, \"chute_port\": 1 } ] }",
	  "forwards[0]: forward: 'icmp:1:1' is not" },
	{ "{ \"forwards\": [ { \"proto\": \"tcp\", \"wan_port\": 70000, \"chute_port\": 1 } ] }",
	  "forwards[0]: forward: 'tcp:70000:1' is not" },
	{ "{ \"forwards\": [ { \"proto\": \"tcp\", \"wan_port\": 1 } ] }",
	  "forwards[0]: want proto, wan_port and chute_port" },
	{ "{ \"env\": [ \"X\" ] }", "env[0]: env: 'X' is not KEY=VALUE" },
	{ "{ \"up_rate\": 50000000, \"up_ceil\": 20000000 }",
	  "up-rate (50mbit) is above up-ceil (20mbit)" },
	{ "{ \"memory\": ", "not valid JSON" },
};

TEST(chute_spec_settings_load_bad)
{
	struct chute_settings s, before;
	struct hearth_err err = {};
	char dir[64], path[128];

	snprintf(dir, sizeof(dir), "/tmp/hearth-chute-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/settings.json", dir);
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		chute_settings_defaults(&s);
		s.pids = 99;
		before = s;
		if (!ASSERT_TRUE(write_file(dir, "settings.json", bad_files[i].text), "write"))
			break;
		ASSERT_EQ(chute_settings_load(&s, path, &err), -EINVAL, bad_files[i].text);
		ASSERT_STRHAS(err.msg, bad_files[i].want, bad_files[i].text);
		ASSERT_TRUE(settings_equal(&s, &before), "unchanged on error");
	}
	/* unknown fields are ignored, missing ones are the defaults */
	ASSERT_TRUE(write_file(dir, "settings.json", "{ \"future\": [1], \"pids\": 64 }"),
		    "write");
	if (ASSERT_OK(chute_settings_load(&s, path, &err), err.msg)) {
		ASSERT_EQ(s.pids, 64, "pids");
		ASSERT_EQ(s.memory, 128ull << 20, "default memory");
	}
	unlink(path);
	ASSERT_EQ(chute_settings_load(&s, path, &err), -ENOENT, "missing file");
	ASSERT_STRHAS(err.msg, "settings.json: missing", "message");
	test__tree_remove(dir);
}

/* crun 1.8 on cgroup v2 writes cpu.weight = 1 + (shares - 2) * 9999 /
 * 262142: every weight must come back exactly; on v1 the shares are
 * weight * 1024 / 100. */
TEST(chute_spec_cpu_weight_round_trip)
{
	int bad = 0;

	for (__u32 w = 1; w <= 10000; w++) {
		int64_t shares = chute_cpu_shares(w, true);

		if (shares < 2 || shares > 262144 || 1 + (shares - 2) * 9999 / 262142 != w)
			bad++;
	}
	ASSERT_EQ(bad, 0, "v2: every weight 1-10000 written back as asked");
	ASSERT_EQ(chute_cpu_shares(100, true), 2598, "v2: weight 100");
	ASSERT_EQ(chute_cpu_shares(10000, true), 262144, "v2: the top weight is crun's top share");
	ASSERT_EQ(chute_cpu_shares(100, false), 1024, "v1: weight 100 is the default share");
	ASSERT_EQ(chute_cpu_shares(200, false), 2048, "v1: weight 200");
}
