# hearth: see README.md. Everything built goes to $(BUILD).
BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool

ARCH_INC   := /usr/include/$(shell $(CC) -dumpmachine)
PKGS       := libbpf libnl-3.0 libnl-route-3.0 json-c libmicrohttpd libssl libcrypto libfixbuf
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -MMD -MP -I$(BUILD)/skel $(PKG_CFLAGS)
LDLIBS     := $(PKG_LIBS) -lelf -lz -lm
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -MMD -MP -I$(ARCH_INC)

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_HDRS   := $(wildcard bpf/lib/*.h maps/*.h)
SKELS      := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/skel/%.skel.h)
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard util/*.c userspace/lib/*.c sandbox/*.c))
CLI_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard userspace/cli/*.c))
DAEMON_OBJS:= $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard userspace/daemon/*.c))

TEST_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/lib/*.c tests/prog_tests/*.c))
BENCH_SRCS := $(wildcard bench/*.bpf.c)
BENCH_SKELS:= $(BENCH_SRCS:bench/%.bpf.c=$(BUILD)/skel/%.skel.h)
# xdp_bench, one concern a file (bench/xdp_bench.h lists them)
XDP_BENCH  := xdp_bench_main bench_scenarios bench_frames bench_run bench_verify bench_scale \
	      bench_stats bench_machine bench_report bench_json
XDP_BENCH_OBJS := $(XDP_BENCH:%=$(BUILD)/obj/bench/%.o)

# Probes the tests build: tests/probes/hostile.bpf.c once per case (the
# refusals of probe_check.c; "none" is the well-behaved control)
PROBE_CASES := none write_user override signal store_bytes probe_read loop hidden \
	       kprobe freplace fmod_ret point map_budget map_type map_pinned hosts_view
TEST_PROBES := $(PROBE_CASES:%=$(BUILD)/probes/hostile_%.bpf.o) \
	       $(BUILD)/probes/watch.bpf.o $(BUILD)/probes/watch_write.bpf.o \
	       $(BUILD)/probes/burn.bpf.o $(BUILD)/probes/flow_watch.bpf.o \
	       $(BUILD)/probes/hosts_copy.bpf.o $(BUILD)/probes/hosts_write.bpf.o \
	       $(BUILD)/probes/isp_drop.bpf.o $(BUILD)/probes/ring_watch.bpf.o

# The researcher guide's example probes, each a bundle to sign:
# build/examples/NAME/{probe.bpf.o,manifest.json} (its key and expiry to fill in)
EXAMPLES := tenant_sizes tcp_retrans
EXAMPLE_PROBES := $(EXAMPLES:%=$(BUILD)/examples/%/probe.bpf.o) \
		  $(EXAMPLES:%=$(BUILD)/examples/%/manifest.json)

PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all deps check test-unit bench demo format clean install
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/hearthd $(BUILD)/hearth $(EXAMPLE_PROBES)

deps:
	@scripts/deps.sh

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.bpf.o: bench/%.bpf.c $(BPF_HDRS) bpf/xdp_gateway.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/probes/hostile_%.bpf.o: tests/probes/hostile.bpf.c maps/hearth_probe.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DCASE_$(shell echo $* | tr a-z A-Z) -c $< -o $@

$(BUILD)/probes/%.bpf.o: tests/probes/%.bpf.c maps/hearth_probe.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/examples/%/probe.bpf.o: examples/probes/%.bpf.c maps/hearth_probe.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -Imaps -c $< -o $@

$(BUILD)/examples/%/manifest.json: examples/probes/%.json
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/probes/hosts_write.bpf.o: tests/probes/hosts_copy.bpf.c maps/hearth_probe.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DWRITE_VIEW -c $< -o $@

$(BUILD)/probes/watch_write.bpf.o: tests/probes/watch.bpf.c maps/hearth_probe.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DWRITE_CONTEXT -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $* > $@

# positional initialisers keep the test case tables readable
$(BUILD)/obj/tests/%.o: CFLAGS += -Wno-missing-field-initializers

# skeletons first: userspace includes them; headers come from -MMD files
$(BUILD)/obj/%.o: %.c $(SKELS) $(BENCH_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# made anew: a renamed source must not leave its old object inside
$(BUILD)/libhearth.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/hearthd: $(DAEMON_OBJS) $(BUILD)/libhearth.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/hearth: $(CLI_OBJS) $(BUILD)/libhearth.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/test_progs: $(TEST_OBJS) $(BUILD)/libhearth.a | $(TEST_PROBES)
	$(CC) $(LDFLAGS) $(filter-out $(TEST_PROBES),$^) $(LDLIBS) -o $@

$(BUILD)/xdp_bench: $(XDP_BENCH_OBJS) $(BUILD)/obj/tests/lib/fixture.o \
		     $(BUILD)/obj/tests/lib/pkt.o $(BUILD)/libhearth.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/nat_e2e: $(BUILD)/obj/bench/nat_e2e.o $(BUILD)/obj/tests/lib/pkt.o
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# `make check`: unit tests (BPF_PROG_TEST_RUN, parsers) and namespace
# integration tests; ends with "N passed, N failed, N skipped".
check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/test_progs
	@tests/run.sh

test-unit: all $(BUILD)/test_progs
	@$(BUILD)/test_progs

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/xdp_bench $(BUILD)/nat_e2e $(BUILD)/test_progs
	@bench/run.sh

demo: deps
	@$(MAKE) --no-print-directory all $(TEST_PROBES)
	@scripts/demo.sh

install: all
	install -D -m 0755 $(BUILD)/hearthd $(DESTDIR)$(PREFIX)/sbin/hearthd
	install -D -m 0755 $(BUILD)/hearth $(DESTDIR)$(PREFIX)/sbin/hearth
	install -D -m 0644 docs/man/hearthd.8 $(DESTDIR)$(PREFIX)/share/man/man8/hearthd.8
	install -D -m 0644 docs/man/hearth.8 $(DESTDIR)$(PREFIX)/share/man/man8/hearth.8
	install -D -m 0644 docs/man/hearth.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/hearth.conf.5
	install -D -m 0644 docs/hearth.conf.example $(DESTDIR)$(PREFIX)/share/doc/hearth/hearth.conf.example

format:
	clang-format -i $(wildcard util/*.[ch] userspace/*/*.[ch] tests/*/*.[ch] bench/*.c)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
