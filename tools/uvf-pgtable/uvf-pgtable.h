/* SPDX-License-Identifier: MIT */
/* uvf-pgtable: build a domain from a script of maps, draw it. */
#ifndef UVF_PGTABLE_TOOL_H
#define UVF_PGTABLE_TOOL_H

#include <uvf/uvf.h>

/* The domain a script runs on, and what the tool knows of it. */
struct pgt_session {
	struct uvf_domain *dom;
	struct uvf_device *dev;		/* NULL: no touch (VFIO) */
	struct pgt_mem *mem;		/* memory given to maps */
	size_t nmem, capmem;
};

/*
 * Runs the steps in @words (map IOVA LEN [r|w|rw], unmap IOVA LEN,
 * touch IOVA [r|w]) on @s. Returns 0, or 2 after printing one sentence
 * on stderr for a malformed step, or 1 for a step that failed.
 */
int pgt_run_steps(struct pgt_session *s, char **words, int nwords);
/* Splits a script file into words ('#' starts a comment); *words and
 * each word are malloc'ed. Returns the count or a negative errno. */
int pgt_read_script(const char *path, char ***words);
/* "FIRST-LAST", numbers as in steps. 0 or -EINVAL. */
int pgt_parse_range(const char *s, uvf_iova_t *first, uvf_iova_t *last);
void pgt_session_fini(struct pgt_session *s);

#endif
