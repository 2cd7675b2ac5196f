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

bool
escpos_qr(struct buf *b, const char *data, size_t len, int module)
{
	/* fn 65: model 2; fn 67: module size; fn 69: error correction M (49). */
	const unsigned char model[] = { GS, '(', 'k', 4, 0, 49, 65, 50, 0 };
	const unsigned char size[] = { GS, '(', 'k', 3, 0, 49, 67,
		(unsigned char)(module < 1 ? 1 : module > 16 ? 16 : module) };
	const unsigned char ecc[] = { GS, '(', 'k', 3, 0, 49, 69, 49 };
	/* fn 80: store len bytes (pL pH count them with cn fn m); fn 81: print. */
	const unsigned char store[] = { GS, '(', 'k', (unsigned char)((len + 3) & 0xff),
		(unsigned char)((len + 3) >> 8), 49, 80, 48 };
	const unsigned char print[] = { GS, '(', 'k', 3, 0, 49, 81, 48 };

	if (len == 0 || len > ESCPOS_QR_MAX)
		return false;
	cmd(b, model, sizeof model);
	cmd(b, size, sizeof size);
	cmd(b, ecc, sizeof ecc);
	cmd(b, store, sizeof store);
	buf_add(b, data, len);
	cmd(b, print, sizeof print);
	return true;
}

void
escpos_cut(struct buf *b)
{
	static const unsigned char cut[] = { GS, 'V', 66, 0 };

	cmd(b, cut, sizeof cut);
}
