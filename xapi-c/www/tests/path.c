/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of URL path normalization, Content-Types and header tokens. */
#include <string.h>

#include "unit.h"
#include "../www_int.h"

static const char *norm(const char *url)
{
	static char out[64];

	return www_path_normalize(url, out, sizeof(out)) ? NULL : out;
}

TEST(root_is_index)
{
	CHECK_STR(norm("/"), "index.html");
	CHECK_STR(norm(""), "index.html");
	CHECK_STR(norm("//./"), "index.html");
}

TEST(plain_paths)
{
	CHECK_STR(norm("/index.html"), "index.html");
	CHECK_STR(norm("/assets/app-1a2b.js"), "assets/app-1a2b.js");
	CHECK_STR(norm("//assets///./x.css"), "assets/x.css");
	CHECK_STR(norm("/assets/"), "assets");
}

TEST(traversal_refused)
{
	CHECK(norm("/..") == NULL);
	CHECK(norm("/../etc/passwd") == NULL);
	CHECK(norm("/assets/../../etc/passwd") == NULL);
	CHECK(norm("/assets/..") == NULL);
	CHECK(norm("..") == NULL);
	CHECK(norm("/a/.../b") == NULL);	/* any dot-segment but "." */
	CHECK(norm("/.git/config") == NULL);
	CHECK(norm("/assets/.env") == NULL);
	CHECK(norm("/a\\..\\b") == NULL);
	CHECK(norm("/a\nb") == NULL);
	CHECK(norm("/a\x7f") == NULL);
	CHECK(norm(NULL) == NULL);
}

TEST(output_size_respected)
{
	char small[8];

	CHECK(www_path_normalize("/abcdefgh", small, sizeof(small)) == -1);
	CHECK(www_path_normalize("/abcdefg", small, sizeof(small)) == 0);
	CHECK_STR(small, "abcdefg");
	CHECK(www_path_normalize("/", small, sizeof(small)) == -1);	/* index.html needs 11 */
	CHECK(www_path_normalize("/a", small, 0) == -1);
}

TEST(content_types)
{
	CHECK_STR(www_content_type("index.html"), "text/html; charset=utf-8");
	CHECK_STR(www_content_type("assets/app.JS"), "text/javascript; charset=utf-8");
	CHECK_STR(www_content_type("assets/x.css"), "text/css; charset=utf-8");
	CHECK_STR(www_content_type("assets/x.svg"), "image/svg+xml");
	CHECK_STR(www_content_type("assets/x.woff2"), "font/woff2");
	CHECK_STR(www_content_type("assets/x.js.map"), "application/json");
	CHECK_STR(www_content_type("README"), "application/octet-stream");
	CHECK_STR(www_content_type("a.d/README"), "application/octet-stream");
}

TEST(header_tokens)
{
	CHECK(www_header_has_token("Upgrade", "upgrade"));
	CHECK(www_header_has_token("keep-alive, Upgrade", "upgrade"));
	CHECK(www_header_has_token(" keep-alive ,\tUPGRADE\t", "upgrade"));
	CHECK(!www_header_has_token("keep-alive", "upgrade"));
	CHECK(!www_header_has_token("upgrades", "upgrade"));
	CHECK(!www_header_has_token("", "upgrade"));
	CHECK(!www_header_has_token(NULL, "upgrade"));
}
