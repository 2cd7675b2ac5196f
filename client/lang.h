/* The languages the client prints in. */
#ifndef MADOGUCHI_CLIENT_LANG_H
#define MADOGUCHI_CLIENT_LANG_H

/* A language of residents' text. */
enum lang {
	LANG_JA,	/* Japanese, the default */
	LANG_EN,	/* English */
};

#endif
