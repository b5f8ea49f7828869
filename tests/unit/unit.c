/*
 * unit.c — main() of every C unit-test binary: runs the registered tests, each in
 * a child process, and reports. See unit.h for the contract.
 */
#include "unit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static struct unit_test *unit_head, **unit_tail = &unit_head;
static int unit_failures;
static jmp_buf unit_jmp;

void unit_register(struct unit_test *t)
{
	*unit_tail = t;
	unit_tail = &t->next;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	unit_failures++;
}

void unit_abort_test(void)
{
	longjmp(unit_jmp, 1);
}

/* Runs one test in a child; returns 0 when it passed. */
static int unit_run_one(const struct unit_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("unit: fork");
		return -1;
	}
	if (pid == 0) {
		if (setjmp(unit_jmp) == 0)
			t->fn();
		fflush(stderr);
		_exit(unit_failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("unit: waitpid");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %s\n", t->name);
		return 0;
	}
	if (WIFSIGNALED(status))
		printf("FAIL %s: killed by signal %d\n", t->name, WTERMSIG(status));
	else
		printf("FAIL %s: exit status %d\n", t->name, WEXITSTATUS(status));
	return -1;
}

static const struct unit_test *unit_find(const char *name)
{
	const struct unit_test *t;

	for (t = unit_head; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct unit_test *t;
	int passed = 0, failed = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (t = unit_head; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			t = unit_find(argv[i]);
			if (!t) {
				printf("FAIL %s: no such test\n", argv[i]);
				failed++;
			} else if (unit_run_one(t) == 0) {
				passed++;
			} else {
				failed++;
			}
		}
	} else {
		for (t = unit_head; t; t = t->next) {
			if (unit_run_one(t) == 0)
				passed++;
			else
				failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
