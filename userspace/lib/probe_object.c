// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe's BPF object, judged before anything of it is loaded.
 *
 * libbpf opens the object (bpf_object__open_mem: nothing reaches the
 * kernel) for its programs and maps. The calls are read from the ELF file
 * itself, every executable section of it, with libelf: libbpf shows a
 * program's own instructions only, not the static functions of .text it
 * calls, which it appends at load time, and a call hidden there must not
 * escape the allowlist.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "libbpf_silent.h"
#include "probe_object.h"

/* Helper names by id, from the kernel's own list (the macro's later
 * versions pass the id too). */
#define HELPER_NAME(x, ...) #x
static const char *const helper_names[] = { __BPF_FUNC_MAPPER(HELPER_NAME) };
#undef HELPER_NAME

/* What a probe may call: it reads its arguments and keeps what it saw,
 * nothing else. No memory reads by address (bpf_probe_read*), nothing of
 * the task or user space, no output to the trace pipe, no loops run by
 * the kernel (bpf_loop, for_each_map_elem), no packet or socket helper. */
static const __u32 helpers_allowed[] = {
	BPF_FUNC_map_lookup_elem,   BPF_FUNC_map_update_elem, BPF_FUNC_map_delete_elem,
	BPF_FUNC_ktime_get_ns,	    BPF_FUNC_get_smp_processor_id, BPF_FUNC_get_prandom_u32,
	BPF_FUNC_jiffies64,	    BPF_FUNC_ringbuf_output,  BPF_FUNC_ringbuf_reserve,
	BPF_FUNC_ringbuf_submit,    BPF_FUNC_ringbuf_discard, BPF_FUNC_get_func_arg,
	BPF_FUNC_get_func_ret,	    BPF_FUNC_get_func_arg_cnt,
};

static const char *helper_name(__u32 id)
{
	return id < sizeof(helper_names) / sizeof(helper_names[0]) ? helper_names[id] : NULL;
}

static bool helper_allowed(__u32 id)
{
	for (size_t i = 0; i < sizeof(helpers_allowed) / sizeof(helpers_allowed[0]); i++)
		if (helpers_allowed[i] == id)
			return true;
	return false;
}

const char *hearth_probe_map_type_name(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		return "array";
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return "percpu_array";
	case BPF_MAP_TYPE_HASH:
		return "hash";
	case BPF_MAP_TYPE_PERCPU_HASH:
		return "percpu_hash";
	case BPF_MAP_TYPE_LRU_HASH:
		return "lru_hash";
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return "lru_percpu_hash";
	case BPF_MAP_TYPE_RINGBUF:
		return "ringbuf";
	default:
		return NULL;
	}
}

/* The symbol a relocation of section @rel at byte @offset names, when it
 * is undefined in the object (an extern: a kfunc, or anything else the
 * loader would have to find elsewhere); NULL otherwise. */
static const char *extern_at(Elf *elf, Elf_Scn *rel, Elf_Scn *symtab, size_t strtab, GElf_Addr offset)
{
	Elf_Data *data = elf_getdata(rel, NULL), *syms = symtab ? elf_getdata(symtab, NULL) : NULL;
	GElf_Shdr sh;
	GElf_Rel r;
	GElf_Sym s;

	if (!data || !syms || !gelf_getshdr(rel, &sh) || !sh.sh_entsize)
		return NULL;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		if (!gelf_getrel(data, (int)i, &r) || r.r_offset != offset)
			continue;
		if (!gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &s) || s.st_shndx != SHN_UNDEF)
			return NULL;
		return elf_strptr(elf, strtab, s.st_name) ?: "?";
	}
	return NULL;
}

struct elf_scan {
	Elf *elf;
	Elf_Scn *symtab;
	size_t strtab;
	const char *what;
	__u64 insns; /* in every executable section */
};

/* Every call of executable section @scn (named @name), with its
 * relocations in @rel (or none). */
static int calls_check(struct elf_scan *e, Elf_Scn *scn, const char *name, Elf_Scn *rel,
		       struct hearth_err *err)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	const struct bpf_insn *insn;
	const char *ext;
	size_t n;

	if (!data || !data->d_buf)
		return 0;
	insn = data->d_buf;
	n = data->d_size / sizeof(*insn);
	e->insns += n;
	for (size_t i = 0; i < n; i++) {
		if (insn[i].code != (BPF_JMP | BPF_CALL))
			continue;
		if (insn[i].src_reg == BPF_PSEUDO_KFUNC_CALL ||
		    (insn[i].src_reg == BPF_PSEUDO_CALL && rel &&
		     (ext = extern_at(e->elf, rel, e->symtab, e->strtab, i * sizeof(*insn))))) {
			return hearth_err_set(err, EPERM, "%s: %s calls the kernel function %s: probes call no kfunc",
					      e->what, name, insn[i].src_reg == BPF_PSEUDO_KFUNC_CALL ? "(kfunc)" : ext);
		}
		if (insn[i].src_reg)
			continue; /* a call of one of its own functions */
		if (!helper_allowed((__u32)insn[i].imm)) {
			const char *h = helper_name((__u32)insn[i].imm);

			return hearth_err_set(err, EPERM, "%s: %s calls %s%s%s, which probes may not call",
					      e->what, name, h ? "bpf_" : "helper ", h ?: "",
					      h ? "" : "(unknown id)");
		}
	}
	return 0;
}

/* The ELF file's executable sections, each with its relocation section. */
static int elf_calls_check(const void *data, size_t len, const char *what, struct hearth_err *err)
{
	struct elf_scan e = { .what = what };
	Elf_Scn *scn = NULL, *rel;
	size_t shstrndx;
	GElf_Shdr sh, rsh;
	int ret = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return hearth_err_set(err, EINVAL, "%s: libelf: %s", what, elf_errmsg(-1));
	e.elf = elf_memory((char *)data, len);
	if (!e.elf || elf_getshdrstrndx(e.elf, &shstrndx))
		return hearth_err_set(err, EINVAL, "%s: not an ELF file", what);
	while ((scn = elf_nextscn(e.elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			e.symtab = scn;
			e.strtab = sh.sh_link;
		}
	while (!ret && (scn = elf_nextscn(e.elf, scn))) {
		Elf_Scn *r = NULL;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		rel = NULL;
		while ((r = elf_nextscn(e.elf, r)))
			if (gelf_getshdr(r, &rsh) && rsh.sh_type == SHT_REL &&
			    rsh.sh_info == elf_ndxscn(scn))
				rel = r;
		ret = calls_check(&e, scn, elf_strptr(e.elf, shstrndx, sh.sh_name) ?: "?", rel, err);
	}
	if (!ret && e.insns > (__u64)HEARTH_PROBE_MAX_INSNS * HEARTH_PROBE_MAX_PROGS)
		ret = hearth_err_set(err, E2BIG, "%s: %llu instructions in all, more than probes may have (%u)",
				     what, (unsigned long long)e.insns,
				     HEARTH_PROBE_MAX_INSNS * HEARTH_PROBE_MAX_PROGS);
	elf_end(e.elf);
	return ret;
}

/* "fentry/POINT" or "fexit/POINT" on one of hearth's probe points. */
static int prog_check(const struct bpf_program *p, const char *what, struct hearth_probe_prog *out,
		      struct hearth_err *err)
{
	const char *sec = bpf_program__section_name(p), *name = bpf_program__name(p), *point;
	enum bpf_attach_type at = bpf_program__expected_attach_type(p);

	snprintf(out->name, sizeof(out->name), "%s", name);
	if (bpf_program__type(p) != BPF_PROG_TYPE_TRACING ||
	    (at != BPF_TRACE_FENTRY && at != BPF_TRACE_FEXIT))
		return hearth_err_set(err, EPERM,
				      "%s: program %s is SEC(\"%s\"): probes attach with fentry or fexit only",
				      what, name, sec);
	point = strchr(sec, '/');
	point = point ? point + 1 : "";
	if (strcmp(point, HEARTH_PROBE_POINT_PACKET) && strcmp(point, HEARTH_PROBE_POINT_FLOW_END))
		return hearth_err_set(err, EPERM,
				      "%s: program %s attaches to %s, not a probe point (%s, %s)", what,
				      name, *point ? point : "nothing", HEARTH_PROBE_POINT_PACKET,
				      HEARTH_PROBE_POINT_FLOW_END);
	snprintf(out->point, sizeof(out->point), "%s", point);
	out->fexit = at == BPF_TRACE_FEXIT;
	out->insns = (__u32)bpf_program__insn_cnt(p);
	if (out->insns > HEARTH_PROBE_MAX_INSNS)
		return hearth_err_set(err, E2BIG, "%s: program %s has %u instructions, more than %u",
				      what, name, out->insns, HEARTH_PROBE_MAX_INSNS);
	return 0;
}

/* The hosts view (maps/hearth_probe.h) as a probe declares it: exactly
 * hearth's, which the loader gives in its place. */
static int view_check(const struct bpf_map *m, const char *what, struct hearth_probe_map *out,
		      struct hearth_err *err)
{
	if (bpf_map__type(m) != BPF_MAP_TYPE_ARRAY || bpf_map__key_size(m) != sizeof(__u32) ||
	    bpf_map__value_size(m) != sizeof(struct hearth_probe_host) ||
	    bpf_map__max_entries(m) != HEARTH_PROBE_MAX_HOSTS || bpf_map__pin_path(m))
		return hearth_err_set(err, EPERM,
				      "%s: map %s is not the hosts view: an array of %u struct hearth_probe_host",
				      what, HEARTH_PROBE_HOSTS_MAP, HEARTH_PROBE_MAX_HOSTS);
	snprintf(out->type, sizeof(out->type), "array");
	out->view = true; /* hearth's memory, not the probe's */
	return 0;
}

static int map_check(const struct bpf_map *m, const char *what, struct hearth_probe_map *out,
		     struct hearth_err *err)
{
	const char *name = bpf_map__name(m), *type = hearth_probe_map_type_name(bpf_map__type(m));
	int ncpus = libbpf_num_possible_cpus();
	__u64 bytes;

	snprintf(out->name, sizeof(out->name), "%s", name);
	if (!strcmp(name, HEARTH_PROBE_HOSTS_MAP))
		return view_check(m, what, out, err);
	if (!type)
		return hearth_err_set(err, EPERM, "%s: map %s is of a type probes may not have (%u)",
				      what, name, bpf_map__type(m));
	if (bpf_map__pin_path(m))
		return hearth_err_set(err, EPERM, "%s: map %s asks to be pinned: hearthd pins nothing of a probe's",
				      what, name);
	snprintf(out->type, sizeof(out->type), "%s", type);
	if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF)
		bytes = bpf_map__max_entries(m);
	else
		bytes = (__u64)bpf_map__max_entries(m) *
			(bpf_map__key_size(m) + bpf_map__value_size(m));
	if (strstr(type, "percpu"))
		bytes *= ncpus > 0 ? (__u64)ncpus : 1;
	out->bytes = bytes;
	return 0;
}

int hearth_probe_object_check(const void *data, size_t len, const char *what, __u64 budget,
			      struct hearth_probe_object *out, struct hearth_err *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "probe");
	libbpf_print_fn_t saved = libbpf_set_print(hearth_libbpf_silent);
	struct bpf_object *obj = bpf_object__open_mem(data, len, &opts);
	struct bpf_program *p;
	struct bpf_map *m;
	int ret = 0;

	libbpf_set_print(saved);
	memset(out, 0, sizeof(*out));
	if (!obj)
		return hearth_err_set(err, EINVAL, "%s: not a BPF object libbpf can open (%s)", what,
				      strerror(errno));
	bpf_object__for_each_program(p, obj) {
		if (out->n_progs == HEARTH_PROBE_MAX_PROGS) {
			ret = hearth_err_set(err, E2BIG, "%s: more than %d programs", what,
					     HEARTH_PROBE_MAX_PROGS);
			goto cleanup;
		}
		ret = prog_check(p, what, &out->prog[out->n_progs++], err);
		if (ret)
			goto cleanup;
	}
	if (!out->n_progs) {
		ret = hearth_err_set(err, ENOENT, "%s: no program", what);
		goto cleanup;
	}
	bpf_object__for_each_map(m, obj) {
		if (out->n_maps == HEARTH_PROBE_MAX_MAPS) {
			ret = hearth_err_set(err, E2BIG, "%s: more than %d maps", what,
					     HEARTH_PROBE_MAX_MAPS);
			goto cleanup;
		}
		ret = map_check(m, what, &out->map[out->n_maps], err);
		if (ret)
			goto cleanup;
		out->map_bytes += out->map[out->n_maps++].bytes;
	}
	if (out->map_bytes > budget) {
		ret = hearth_err_set(err, E2BIG, "%s: its maps hold %llu bytes, over the budget of %llu",
				     what, (unsigned long long)out->map_bytes, (unsigned long long)budget);
		goto cleanup;
	}
	ret = elf_calls_check(data, len, what, err);
cleanup:
	bpf_object__close(obj);
	return ret;
}
