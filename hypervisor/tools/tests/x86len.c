/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86len — checks x86_decode's lengths against a disassembler's.
 *
 * Reads lines "<hex bytes><TAB><text>" (objdump -d --insn-width=16, reduced
 * to bytes and text) and decodes each instruction with 16 bytes of NOPs after
 * it, so a decoder that reads too far shows. Prints every disagreement (up to
 * 50) and a summary "total N wrong N errors N"; exits 1 on any disagreement.
 * Usage: x86len [32|64] < lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86_decode.h"

/* Parses up to 15 hex bytes; returns how many, or 0 for a line to skip. */
static int parse_bytes(char *p, uint8_t *b)
{
	int n = 0;

	while (*p) {
		char *end;
		unsigned long v;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		v = strtoul(p, &end, 16);
		if (end == p || v > 0xff || n == 15)
			return 0;
		b[n++] = (uint8_t)v;
		p = end;
	}
	return n;
}

int main(int argc, char **argv)
{
	enum x86_mode mode = argc > 1 && strcmp(argv[1], "32") == 0 ? X86_MODE_32 : X86_MODE_64;
	long total = 0, wrong = 0, errors = 0;
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		uint8_t buf[32];
		char *tab = strchr(line, '\t');
		int n, len;

		if (!tab)
			continue;
		*tab = '\0';
		memset(buf, 0x90, sizeof(buf));
		n = parse_bytes(line, buf);
		if (!n)
			continue;
		len = x86_insn_length(buf, sizeof(buf), mode);
		total++;
		if (len == n)
			continue;
		if (len < 0)
			errors++;
		else
			wrong++;
		if (wrong + errors <= 50)
			printf("got %d want %d: %s\t%s", len, n, line, tab + 1);
	}
	printf("total %ld wrong %ld errors %ld\n", total, wrong, errors);
	return wrong || errors ? 1 : 0;
}
