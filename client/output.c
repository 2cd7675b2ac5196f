/* Output files: a temporary file and a rename, or the device itself. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
output_open(struct output *o, const char *path)
{
	struct stat st;
	int fd, saved;

	o->fp = stdout;
	o->path = path;
	o->tmp = NULL;
	if (path == NULL)
		return 0;
	/* A device or a pipe is written in place: it cannot be renamed over. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->fp = fopen(path, "wb");
		return o->fp != NULL ? 0 : -1;
	}
	if (asprintf(&o->tmp, "%s.XXXXXX", path) < 0) {
		o->tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	if ((fd = mkstemp(o->tmp)) < 0 || (o->fp = fdopen(fd, "wb")) == NULL) {
		saved = errno;
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		errno = saved;
		return -1;
	}
	/* mkstemp makes it 0600; give it what a new file would get. */
	{
		mode_t mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	return 0;
}

int
output_commit(struct output *o)
{
	int rc = 0, saved;

	if (o->fp == stdout)
		return fflush(stdout) == 0 ? 0 : -1;
	if (fflush(o->fp) != 0 || (o->tmp != NULL && fsync(fileno(o->fp)) != 0))
		rc = -1;
	saved = errno;
	if (fclose(o->fp) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	o->fp = NULL;
	if (o->tmp != NULL) {
		if (rc == 0 && rename(o->tmp, o->path) != 0) {
			rc = -1;
			saved = errno;
		}
		if (rc != 0)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	errno = saved;
	return rc;
}

void
output_abort(struct output *o)
{
	if (o->fp != NULL && o->fp != stdout)
		fclose(o->fp);
	o->fp = NULL;
	if (o->tmp != NULL) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}
