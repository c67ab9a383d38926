// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Delta counts for long flows: what each connection's records reported. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/files.h"
#include "conntrack.h"
#include "flow_reports.h"

struct flow_report_row {
	struct hearth_ct_key key; /* the connection's original direction */
	__u32 gen; /* its original half's slot generation */
	__u8 used;
	__u8 ended; /* bit per direction whose half ended */
	__u16 pad;
	__u32 seen; /* the walk that last saw it live */
	__u64 reported_ms; /* the end of the span the last report counted */
	__u64 packets[2];
	__u64 bytes[2];
};

int hearth_flow_reports_init(struct hearth_flow_reports *r, __u32 sets,
			     unsigned int active_timeout_s)
{
	memset(r, 0, sizeof(*r));
	r->rows = calloc((size_t)sets * HEARTH_CT_WAYS, sizeof(*r->rows));
	if (!r->rows)
		return -ENOMEM;
	r->sets = sets;
	r->active_timeout_s = active_timeout_s;
	return 0;
}

void hearth_flow_reports_free(struct hearth_flow_reports *r)
{
	free(r->rows);
	r->rows = NULL;
}

static struct flow_report_row *set_rows(struct hearth_flow_reports *r,
					const struct hearth_ct_key *key)
{
	__u32 set = (__u32)hearth_ct_hash(key) & (r->sets - 1);

	return &r->rows[(size_t)set * HEARTH_CT_WAYS];
}

static struct flow_report_row *row_find(struct hearth_flow_reports *r,
					const struct hearth_ct_key *key, __u32 gen)
{
	struct flow_report_row *rows = set_rows(r, key);

	for (int i = 0; i < HEARTH_CT_WAYS; i++)
		if (rows[i].used && rows[i].gen == gen && !memcmp(&rows[i].key, key, sizeof(*key)))
			return &rows[i];
	return NULL;
}

/* A free row, else the one seen live longest ago (its end is overdue). */
static struct flow_report_row *row_take(struct hearth_flow_reports *r,
					const struct hearth_ct_key *key)
{
	struct flow_report_row *rows = set_rows(r, key), *oldest = NULL;

	for (int i = 0; i < HEARTH_CT_WAYS; i++) {
		if (!rows[i].used)
			return &rows[i];
		if (rows[i].seen != r->walk && (!oldest || rows[i].seen < oldest->seen))
			oldest = &rows[i];
	}
	return oldest;
}

void hearth_flow_reports_walk_begin(struct hearth_flow_reports *r)
{
	r->walk++;
}

void hearth_flow_reports_walk_end(struct hearth_flow_reports *r)
{
	size_t n = (size_t)r->sets * HEARTH_CT_WAYS;

	for (size_t i = 0; i < n; i++)
		if (r->rows[i].used && r->walk - r->rows[i].seen >= 2)
			r->rows[i].used = 0;
}

/* Takes what @row reported from @f's direction @dir. A count read from a
 * line that was being handed to its entry can be ahead of the entry read
 * later: such a delta is 0, and the next one makes up for it. */
static void subtract(struct hearth_flow *f, const struct flow_report_row *row, int dir)
{
	f->packets[dir] = f->packets[dir] > row->packets[dir] ? f->packets[dir] - row->packets[dir] : 0;
	f->bytes[dir] = f->bytes[dir] > row->bytes[dir] ? f->bytes[dir] - row->bytes[dir] : 0;
}

void hearth_flow_reports_adopt(struct hearth_flow_reports *r, const struct hearth_conn *c,
				const struct hearth_flow_clock *clock, __u64 now_ms)
{
	struct flow_report_row *row = row_find(r, &c->key, c->orig.gen);
	struct hearth_flow f;

	if (row || !(row = row_take(r, &c->key)))
		return;
	hearth_flow_from_conn(&f, c, clock);
	*row = (struct flow_report_row){ .key = c->key, .gen = c->orig.gen, .used = 1,
					 .seen = r->walk, .reported_ms = now_ms };
	for (int dir = 0; dir < 2; dir++) {
		row->packets[dir] = f.packets[dir];
		row->bytes[dir] = f.bytes[dir];
	}
	r->adopted++;
}

/* When @c's counts start: its first packet either way. */
static __u64 conn_start_ms(const struct hearth_conn *c, const struct hearth_flow_clock *clock)
{
	__u64 start = hearth_flow_clock_ms(clock, c->orig.first_seen), reply;

	if (c->reply.gen) {
		reply = hearth_flow_clock_ms(clock, c->reply.first_seen);
		if (reply < start)
			start = reply;
	}
	return start;
}

bool hearth_flow_reports_due(struct hearth_flow_reports *r, const struct hearth_conn *c,
			     const struct hearth_flow_clock *clock, __u64 now_ms)
{
	struct flow_report_row *row = row_find(r, &c->key, c->orig.gen);
	__u64 reply_packets = c->reply.gen ? c->reply.packets : 0;

	if (row)
		row->seen = r->walk;
	if (!r->active_timeout_s)
		return false;
	if (!row)
		return now_ms >= conn_start_ms(c, clock) + (__u64)r->active_timeout_s * 1000;
	if (now_ms < row->reported_ms + (__u64)r->active_timeout_s * 1000)
		return false;
	/* nothing moved since the last report */
	return c->orig.packets != row->packets[0] || reply_packets != row->packets[1];
}

bool hearth_flow_reports_live(struct hearth_flow_reports *r, const struct hearth_conn *c,
			      const struct hearth_flow_clock *clock, __u64 now_ms,
			      struct hearth_flow *f)
{
	struct flow_report_row *row;
	__u64 total[2][2];

	/* judged from the connection, before a record is made of it */
	if (!hearth_flow_reports_due(r, c, clock, now_ms))
		return false;
	row = row_find(r, &c->key, c->orig.gen);
	hearth_flow_from_conn(f, c, clock);
	for (int dir = 0; dir < 2; dir++) {
		total[dir][0] = row && row->packets[dir] > f->packets[dir] ? row->packets[dir] :
									     f->packets[dir];
		total[dir][1] = row && row->bytes[dir] > f->bytes[dir] ? row->bytes[dir] : f->bytes[dir];
		if (row)
			subtract(f, row, dir);
	}
	if (row)
		f->start_ms = row->reported_ms;
	if (!row) {
		row = row_take(r, &c->key);
		if (!row) {
			r->no_row++;
			r->reported++;
			return true;
		}
		*row = (struct flow_report_row){ .key = c->key, .gen = c->orig.gen, .used = 1 };
	}
	for (int dir = 0; dir < 2; dir++) {
		row->packets[dir] = total[dir][0];
		row->bytes[dir] = total[dir][1];
	}
	row->seen = r->walk;
	row->reported_ms = f->end_ms > f->start_ms ? f->end_ms : now_ms;
	r->reported++;
	return true;
}

void hearth_flow_reports_end(struct hearth_flow_reports *r, const struct hearth_ct_end *end,
			     struct hearth_flow *f)
{
	const struct hearth_ct_slot *orig = &end->half[HEARTH_CT_ORIG];
	const struct hearth_ct_slot *reply = &end->half[HEARTH_CT_REPLY];
	bool has_orig = end->halves & (1 << HEARTH_CT_ORIG);
	struct flow_report_row *row;

	row = has_orig ? row_find(r, &orig->key, orig->e.gen) :
			 row_find(r, &reply->e.peer, reply->e.peer_gen);
	if (!row)
		return;
	for (int dir = 0; dir < 2; dir++)
		if (end->halves & (1 << dir))
			subtract(f, row, dir);
	if (row->reported_ms > f->start_ms)
		f->start_ms = row->reported_ms;
	if (f->end_ms < f->start_ms)
		f->end_ms = f->start_ms;
	row->ended |= end->halves;
	if (row->ended == 3)
		row->used = 0;
}

/* The file: this header, then the rows in use. */
struct reports_file_header {
	char magic[8]; /* "hearthFR" */
	__u32 version, sets, rows, row_size;
};

#define REPORTS_FILE_VERSION 1

int hearth_flow_reports_save(const struct hearth_flow_reports *r, const char *path)
{
	struct reports_file_header h = { .magic = "hearthFR", .version = REPORTS_FILE_VERSION,
					 .sets = r->sets, .row_size = sizeof(struct flow_report_row) };
	size_t n = (size_t)r->sets * HEARTH_CT_WAYS, len = sizeof(h);
	char *buf;
	int ret;

	for (size_t i = 0; i < n; i++)
		h.rows += r->rows[i].used;
	buf = malloc(sizeof(h) + (size_t)h.rows * sizeof(struct flow_report_row));
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	for (size_t i = 0; i < n; i++) {
		if (!r->rows[i].used)
			continue;
		memcpy(buf + len, &r->rows[i], sizeof(r->rows[i]));
		len += sizeof(r->rows[i]);
	}
	ret = hearth_file_replace(path, buf, len, false);
	free(buf);
	return ret;
}

int hearth_flow_reports_load(struct hearth_flow_reports *r, const char *path)
{
	struct reports_file_header h;
	struct flow_report_row row;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -ENOENT;
	if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, "hearthFR", 8) ||
	    h.version != REPORTS_FILE_VERSION || h.sets != r->sets ||
	    h.row_size != sizeof(struct flow_report_row))
		ret = -ENOENT; /* another table, another build: adopt */
	for (__u32 i = 0; !ret && i < h.rows; i++) {
		struct flow_report_row *slot;

		if (fread(&row, sizeof(row), 1, f) != 1) {
			ret = -ENOENT;
			break;
		}
		slot = row_take(r, &row.key);
		if (slot) {
			*slot = row;
			slot->seen = r->walk;
		}
	}
	fclose(f);
	unlink(path); /* used once: a later crash must not load it again */
	return ret;
}
