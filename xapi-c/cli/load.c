/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xapi-load — a load generator for make bench (tests/xapi-clients/bench_api).
 *
 *   xapi-load URL BODY_FILE THREADS SECONDS
 *
 * Design: THREADS threads, each with its own keep-alive libcurl handle, POST
 * the same XML-RPC body (text/xml) to URL over and over for SECONDS, and
 * count the answers that are HTTP 200 with "Success" near the start. Any
 * certificate is accepted: it only ever talks to a daemon on loopback that
 * the bench started. Prints one line:
 *   calls N errors E seconds S rate R
 * A client in C keeps the measurement on the daemon rather than on the
 * client, which matters on a 2-core machine.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOAD_MAX_THREADS 256

struct load {
	const char *url;
	const char *body;
	size_t len;
	double until;
	atomic_long calls, errors;
};

struct answer {
	char head[512];
	size_t len;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct answer *a = ud;
	size_t bytes = size * n, room = sizeof(a->head) - 1 - a->len;
	size_t take = bytes < room ? bytes : room;

	memcpy(a->head + a->len, p, take);
	a->len += take;
	a->head[a->len] = '\0';
	return bytes;
}

static void *worker(void *ud)
{
	struct load *l = ud;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/xml");
	CURL *c = curl_easy_init();
	struct answer a;

	if (!c || !h) {
		atomic_fetch_add(&l->errors, 1);
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, l->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, l->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)l->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	while (now() < l->until) {
		long status = 0;

		a.len = 0;
		a.head[0] = '\0';
		if (curl_easy_perform(c) == CURLE_OK &&
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status == 200 && strstr(a.head, "Success"))
			atomic_fetch_add(&l->calls, 1);
		else
			atomic_fetch_add(&l->errors, 1);
	}
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return NULL;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) == (size_t)n) {
		p[n] = '\0';
		*len = (size_t)n;
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

int main(int argc, char **argv)
{
	pthread_t t[LOAD_MAX_THREADS];
	struct load l = {0};
	int threads, started = 0;
	double secs, t0;
	char *body;

	if (argc != 5) {
		fprintf(stderr, "usage: xapi-load URL BODY_FILE THREADS SECONDS\n");
		return 2;
	}
	threads = atoi(argv[3]);
	secs = atof(argv[4]);
	body = read_all(argv[2], &l.len);
	if (!body || threads < 1 || threads > LOAD_MAX_THREADS || secs <= 0) {
		fprintf(stderr, "xapi-load: bad arguments (body file, 1..%d threads, seconds > 0)\n",
			LOAD_MAX_THREADS);
		free(body);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	l.url = argv[1];
	l.body = body;
	t0 = now();
	l.until = t0 + secs;
	for (; started < threads; started++)
		if (pthread_create(&t[started], NULL, worker, &l))
			break;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	secs = now() - t0;
	printf("calls %ld errors %ld seconds %.3f rate %.1f\n", atomic_load(&l.calls),
	       atomic_load(&l.errors), secs, (double)atomic_load(&l.calls) / secs);
	curl_global_cleanup();
	free(body);
	return started == threads ? 0 : 1;
}
