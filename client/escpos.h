/*
 * ESC/POS commands for thermal receipt printers (Epson TM series and the many
 * that follow it), appended to a buffer. Japanese goes out in Shift_JIS in
 * kanji mode: FS C 1 selects the Shift_JIS code system once, so single bytes
 * stay ANK (ASCII) and lead bytes start kanji; FS & / FS . bracket every line
 * that holds a kanji, as Japanese TM models (TM-T88 J, TM-T20 J, TM-m30 J) take.
 */
#ifndef MADOGUCHI_CLIENT_ESCPOS_H
#define MADOGUCHI_CLIENT_ESCPOS_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* ESC @ (initialise) and FS C 1 (Shift_JIS kanji code system). */
void escpos_init(struct buf *b);
/* ESC a n: centred when centre is set, else left. */
void escpos_align(struct buf *b, bool centre);
/* ESC E n: emphasised (bold) on or off. */
void escpos_bold(struct buf *b, bool on);
/* GS ! n and FS ! n: double width and height on or off, for ANK and kanji alike. */
void escpos_double(struct buf *b, bool on);
/*
 * One line of UTF-8 text (len bytes, no newline) in Shift_JIS, inside
 * FS & ... FS . when it holds a kanji, then LF. Returns the characters that
 * became '?'.
 */
size_t escpos_line(struct buf *b, const char *utf8, size_t len);
/*
 * A QR code of data (len bytes, at most ESCPOS_QR_MAX) printed by the printer's
 * own encoder: GS ( k with model 2, error correction M and module size module
 * (1-16 dots), then the stored data printed. False when data is too long.
 */
#define ESCPOS_QR_MAX 700
bool escpos_qr(struct buf *b, const char *data, size_t len, int module);
/* GS V 66 0: feed to the cutter and cut (a partial cut where the printer has both). */
void escpos_cut(struct buf *b);

#endif
