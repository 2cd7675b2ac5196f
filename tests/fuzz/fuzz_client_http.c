/*
 * What the client makes of a server's answer: the body parsed as JSON
 * (http_parse_body), the one-line message for a failure
 * (http_problem_message) and the exit code (http_exit_code). The message is
 * one line, never empty, and is the problem's detail and code when both are
 * strings and the detail is not empty; the exit code is a sysexits code. The
 * first two input bytes are the status, the rest the body.
 */
#include "fuzz.h"

#include "client/buf.h"
#include "client/http.h"

#include <sysexits.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r = { 0 };
	const char *detail, *code;
	char *msg;
	int ex;

	if (size < 2)
		return 0;
	r.status = 100 + (data[0] << 8 | data[1]) % 500;
	buf_add(&r.body, data + 2, size - 2);
	http_parse_body(&r);
	FUZZ_ASSERT((r.json != NULL) <= (size > 2));
	msg = http_problem_message(&r);
	FUZZ_ASSERT(msg[0] != '\0' && strpbrk(msg, "\r\n") == NULL);
	detail = json_string_value(json_object_get(r.json, "detail"));
	code = json_string_value(json_object_get(r.json, "code"));
	if (detail != NULL && code != NULL && detail[0] != '\0' &&
	    strlen(detail) == strcspn(detail, "\r\n") &&
	    strlen(code) == strcspn(code, "\r\n")) {
		FUZZ_ASSERT(strncmp(msg, detail, strlen(detail)) == 0);
		FUZZ_ASSERT(strstr(msg + strlen(detail), code) != NULL);
	}
	ex = http_exit_code(r.status);
	FUZZ_ASSERT(ex >= EX__BASE && ex <= EX__MAX);
	free(msg);
	http_resp_free(&r);
	buf_free(&r.body);
	return 0;
}
