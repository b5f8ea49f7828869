/*
 * unit.h — Cairn's C unit-test harness, shared by every component.
 *
 * Design: a test is a function declared with TEST(name); a constructor registers
 * it, so a test file needs no list and no main. unit.c provides main(): it runs
 * every test (or the ones named on the command line) in a child process of its
 * own, so a crash, an abort or a sanitizer report fails that test only. Output
 * is one line per test ("ok NAME" / "FAIL NAME: why") and a closing
 * "N passed, N failed" line; the exit status is non-zero when any test failed.
 * `--list` prints the test names, which is how the pytest runner finds them.
 *
 * CHECK* records a failure and goes on; REQUIRE* records it and ends the test.
 */
#ifndef CAIRN_UNIT_H
#define CAIRN_UNIT_H

#include <stddef.h>
#include <string.h>

struct unit_test {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void unit_abort_test(void) __attribute__((noreturn));

#define TEST(name)                                                                       \
	static void unit_fn_##name(void);                                                \
	static struct unit_test unit_t_##name = {#name, __FILE__, unit_fn_##name, NULL}; \
	__attribute__((constructor)) static void unit_reg_##name(void)                  \
	{                                                                                \
		unit_register(&unit_t_##name);                                           \
	}                                                                                \
	static void unit_fn_##name(void)

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond))                                                          \
			unit_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);     \
	} while (0)

#define REQUIRE(cond)                                                                 \
	do {                                                                          \
		if (!(cond)) {                                                        \
			unit_fail(__FILE__, __LINE__, "REQUIRE(%s) failed", #cond);   \
			unit_abort_test();                                            \
		}                                                                     \
	} while (0)

#define CHECK_EQ(a, b)                                                                \
	do {                                                                          \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);         \
		if (unit_a_ != unit_b_)                                               \
			unit_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b,  \
				  unit_a_, unit_b_);                                  \
	} while (0)

#define CHECK_EQ_HEX(a, b)                                                            \
	do {                                                                          \
		unsigned long long unit_a_ = (unsigned long long)(a);                 \
		unsigned long long unit_b_ = (unsigned long long)(b);                 \
		if (unit_a_ != unit_b_)                                               \
			unit_fail(__FILE__, __LINE__, "%s == %s: %#llx != %#llx", #a, #b, \
				  unit_a_, unit_b_);                                  \
	} while (0)

#define CHECK_STR(a, b)                                                               \
	do {                                                                          \
		const char *unit_a_ = (a), *unit_b_ = (b);                            \
		if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0)            \
			unit_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a,  \
				  #b, unit_a_ ? unit_a_ : "(null)",                   \
				  unit_b_ ? unit_b_ : "(null)");                      \
	} while (0)

#define CHECK_MEM(a, b, n)                                                            \
	do {                                                                          \
		if (memcmp((a), (b), (n)) != 0)                                       \
			unit_fail(__FILE__, __LINE__, "%s and %s differ in %zu bytes", #a, \
				  #b, (size_t)(n));                                   \
	} while (0)

#endif
