/* ESC/POS command bytes. */
#include "escpos.h"

#include "sjis.h"

#define ESC 0x1b
#define FS 0x1c
#define GS 0x1d

/* Appends a command of n bytes. */
static void
cmd(struct buf *b, const unsigned char *bytes, size_t n)
{
	buf_add(b, bytes, n);
}

void
escpos_init(struct buf *b)
{
	static const unsigned char init[] = { ESC, '@', FS, 'C', 1 };

	cmd(b, init, sizeof init);
}

void
escpos_align(struct buf *b, bool centre)
{
	const unsigned char c[] = { ESC, 'a', centre ? 1 : 0 };

	cmd(b, c, sizeof c);
}

void
escpos_bold(struct buf *b, bool on)
{
	const unsigned char c[] = { ESC, 'E', on ? 1 : 0 };

	cmd(b, c, sizeof c);
}

void
escpos_double(struct buf *b, bool on)
{
	/* GS ! 0x11: width and height ×2; FS ! 0x0c: the same for kanji. */
	const unsigned char c[] = { GS, '!', on ? 0x11 : 0, FS, '!', on ? 0x0c : 0 };

	cmd(b, c, sizeof c);
}

size_t
escpos_line(struct buf *b, const char *utf8, size_t len)
{
	static const unsigned char on[] = { FS, '&' }, off[] = { FS, '.' };
	struct buf sj = { 0 };
	bool kanji = false;
	size_t bad = sjis_append(&sj, utf8, len);

	for (size_t i = 0; i < sj.len; i++)
		kanji = kanji || (unsigned char)sj.data[i] >= 0x80;
	if (kanji)
		cmd(b, on, sizeof on);
	buf_add(b, sj.data, sj.len);
	if (kanji)
		cmd(b, off, sizeof off);
	buf_addc(b, '\n');
	buf_free(&sj);
	return bad;
}

void
escpos_cut(struct buf *b)
{
	static const unsigned char cut[] = { GS, 'V', 66, 0 };

	cmd(b, cut, sizeof cut);
}
