// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A probe bundle read from its directory and judged whole. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "../../util/files.h"
#include "probe_bundle.h"

#define MANIFEST_MAX (64 << 10)
#define OBJECT_MAX (4 << 20)
#define SIGNATURE_MAX 1024

static int part_read(struct hearth_probe_bundle *b, const char *file, size_t max, void **data,
		     size_t *len, struct hearth_err *err)
{
	char path[PATH_MAX + 32];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", b->dir, file);
	ret = hearth_file_read(path, max, data, len);
	if (ret == -EFBIG)
		return hearth_err_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
	if (ret)
		return hearth_err_set(err, -ret, "%s: %s", path, strerror(-ret));
	return 0;
}

/* signature: the 64 bytes in base64, one line; absent: unsigned. */
static int signature_read(struct hearth_probe_bundle *b, struct hearth_err *err)
{
	unsigned char raw[96];
	char *text = NULL;
	size_t len = 0;
	int ret, n;

	ret = part_read(b, HEARTH_PROBE_SIGNATURE_FILE, SIGNATURE_MAX, (void **)&text, &len, NULL);
	if (ret)
		return 0; /* unsigned: hearth_probe_bundle_check says so */
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	n = len == 88 ? EVP_DecodeBlock(raw, (unsigned char *)text, (int)len) : -1;
	free(text);
	/* 64 bytes are 66 in whole base64 blocks, the last two padding */
	if (n != 66)
		return hearth_err_set(err, EINVAL, "%s/%s: not a signature (64 bytes in base64)", b->dir,
				      HEARTH_PROBE_SIGNATURE_FILE);
	memcpy(b->sig, raw, sizeof(b->sig));
	b->is_signed = true;
	return 0;
}

int hearth_probe_bundle_read(struct hearth_probe_bundle *b, const char *dir,
			     struct hearth_err *err)
{
	char what[PATH_MAX + 32];
	int ret;

	memset(b, 0, sizeof(*b));
	if (strlen(dir) >= sizeof(b->dir))
		return hearth_err_set(err, ENAMETOOLONG, "%s: path too long", dir);
	strcpy(b->dir, dir);
	ret = part_read(b, HEARTH_PROBE_MANIFEST_FILE, MANIFEST_MAX, (void **)&b->manifest_text,
			&b->manifest_len, err);
	if (!ret)
		ret = part_read(b, HEARTH_PROBE_OBJECT_FILE, OBJECT_MAX, &b->object, &b->object_len, err);
	if (!ret)
		ret = signature_read(b, err);
	if (!ret && hearth_probe_digest(b->manifest_text, b->manifest_len, b->object,
					b->object_len, b->digest))
		ret = hearth_err_set(err, EIO, "%s: cannot compute its digest", dir);
	if (ret)
		return ret;
	hearth_probe_hex(b->digest, b->digest_hex);
	snprintf(what, sizeof(what), "%s/%s", dir, HEARTH_PROBE_MANIFEST_FILE);
	return hearth_probe_manifest_parse(b->manifest_text, b->manifest_len, what, &b->manifest, err);
}

/* The object asks for what the manifest says, no more: its programs on
 * the manifest's probe point, its maps the manifest's. */
static int agree(const struct hearth_probe_bundle *b, struct hearth_err *err)
{
	const struct hearth_probe_manifest *m = &b->manifest;
	const struct hearth_probe_object *o = &b->obj;
	int own = 0;

	for (int i = 0; i < o->n_progs; i++)
		if (strcmp(o->prog[i].point, m->point))
			return hearth_err_set(err, EPERM, "%s: program %s attaches to %s; the manifest says %s",
					      b->dir, o->prog[i].name, o->prog[i].point, m->point);

	for (int i = 0; i < o->n_maps; i++) {
		const struct hearth_probe_map *om = &o->map[i], *mm = NULL;

		if (om->view) /* hearth's, not one the probe creates */
			continue;
		own++;
		for (int j = 0; j < m->n_maps && !mm; j++)
			if (!strcmp(m->map[j].name, om->name))
				mm = &m->map[j];
		if (!mm)
			return hearth_err_set(err, EPERM, "%s: map %s is not in the manifest", b->dir,
					      om->name);
		if (strcmp(mm->type, om->type) || mm->bytes != om->bytes)
			return hearth_err_set(err, EPERM,
					      "%s: map %s is %s of %llu bytes; the manifest says %s of %llu",
					      b->dir, om->name, om->type, (unsigned long long)om->bytes,
					      mm->type, (unsigned long long)mm->bytes);
	}
	if (m->n_maps != own)
		return hearth_err_set(err, EPERM, "%s: the manifest lists %d maps; the object has %d",
				      b->dir, m->n_maps, own);
	return 0;
}

/* The trusted key whose fingerprint the manifest names, from @keys (a
 * file, or a directory of them), into b->key_path. */
static int key_find(struct hearth_probe_bundle *b, const char *keys, struct hearth_err *err)
{
	char fp[HEARTH_PROBE_HEX_LEN], path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (stat(keys, &st))
		return hearth_err_set(err, errno, "%s: %s", keys, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (hearth_probe_key_fingerprint(keys, fp, err))
			return -EINVAL;
		if (strcmp(fp, b->manifest.key))
			return hearth_err_set(err, EPERM,
					      "%s: signed with key %.16s..., not %s's (%.16s...)",
					      b->dir, b->manifest.key, keys, fp);
		snprintf(b->key_path, sizeof(b->key_path), "%s", keys);
		return 0;
	}
	d = opendir(keys);
	if (!d)
		return hearth_err_set(err, errno, "%s: %s", keys, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || snprintf(path, sizeof(path), "%s/%s", keys, e->d_name) >=
						   (int)sizeof(path))
			continue;
		if (!hearth_probe_key_fingerprint(path, fp, NULL) && !strcmp(fp, b->manifest.key)) {
			snprintf(b->key_path, sizeof(b->key_path), "%s", path);
			break;
		}
	}
	closedir(d);
	if (!b->key_path[0])
		return hearth_err_set(err, EPERM, "%s: signed with key %.16s..., which is not among the trusted keys in %s",
				      b->dir, b->manifest.key, keys);
	return 0;
}

int hearth_probe_bundle_check(struct hearth_probe_bundle *b, const char *keys, time_t now,
			      __u64 budget, struct hearth_err *err)
{
	char what[PATH_MAX + 32];
	int ret;

	snprintf(what, sizeof(what), "%s/%s", b->dir, HEARTH_PROBE_OBJECT_FILE);
	ret = hearth_probe_object_check(b->object, b->object_len, what, budget, &b->obj, err);
	if (!ret)
		ret = agree(b, err);
	if (!ret && b->manifest.record[0])
		ret = hearth_probe_record_of_object(b->object, b->object_len, what,
						    b->manifest.record, b->manifest.output,
						    &b->record, err);
	if (!ret && now >= b->manifest.expires)
		ret = hearth_err_set(err, EKEYEXPIRED, "%s: expired (its manifest's 'expires' is past)",
				     b->dir);
	if (!ret && !b->is_signed)
		ret = hearth_err_set(err, EPERM, "%s: unsigned (no %s file): hearth loads signed probes only",
				     b->dir, HEARTH_PROBE_SIGNATURE_FILE);
	if (!ret)
		ret = key_find(b, keys, err);
	if (!ret && hearth_probe_verify(b->key_path, b->digest, b->sig, NULL))
		ret = hearth_err_set(err, EBADMSG,
				     "%s: its signature does not match its contents (changed after signing?)",
				     b->dir);
	return ret;
}

int hearth_probe_bundle_sign(struct hearth_probe_bundle *b, const char *key_path,
			     struct hearth_err *err)
{
	unsigned char text[96];
	char path[PATH_MAX + 32];
	int n, ret;

	ret = hearth_probe_sign(key_path, b->digest, b->sig, err);
	if (ret)
		return ret;
	n = EVP_EncodeBlock(text, b->sig, HEARTH_PROBE_SIG_LEN);
	text[n++] = '\n';
	snprintf(path, sizeof(path), "%s/%s", b->dir, HEARTH_PROBE_SIGNATURE_FILE);
	ret = hearth_file_replace(path, text, (size_t)n, true);
	if (ret)
		return hearth_err_set(err, -ret, "%s: %s", path, strerror(-ret));
	b->is_signed = true;
	return 0;
}

void hearth_probe_bundle_free(struct hearth_probe_bundle *b)
{
	free(b->manifest_text);
	free(b->object);
	b->manifest_text = NULL;
	b->object = NULL;
}
