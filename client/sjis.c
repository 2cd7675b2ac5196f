/* UTF-8 to Shift_JIS, one character at a time, with '?' for the unmappable. */
#include "sjis.h"

#include "text.h"

#include <iconv.h>
#include <stdint.h>

/* Converts one character (n bytes at s) with cd into out[0..4); returns the bytes made or 0. */
static size_t
convert_one(iconv_t cd, const char *s, size_t n, char out[4])
{
	char *in = (char *)s, *o = out;
	size_t inleft = n, outleft = 4;

	if (cd == (iconv_t)-1)
		return 0;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 || inleft != 0)
		return 0;
	return (size_t)(o - out);
}

size_t
sjis_append(struct buf *out, const char *s, size_t len)
{
	iconv_t cp932 = iconv_open("CP932", "UTF-8"), sjis = iconv_open("SHIFT_JIS", "UTF-8");
	size_t bad = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = text_decode(s + i, len - i, &cp), m = 0;
		char b[4];

		if (cp < 0x80)
			b[0] = (char)cp, m = 1;
		else if (cp != 0xfffd && (m = convert_one(cp932, s + i, n, b)) == 0)
			m = convert_one(sjis, s + i, n, b);
		if (m == 0) {
			b[0] = '?', m = 1;
			bad++;
		}
		buf_add(out, b, m);
		i += n;
	}
	if (cp932 != (iconv_t)-1)
		iconv_close(cp932);
	if (sjis != (iconv_t)-1)
		iconv_close(sjis);
	return bad;
}
