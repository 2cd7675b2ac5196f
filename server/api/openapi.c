/* The HTTP contract, served from the binary. */
#include "api/openapi.h"

#include "request.h"

void
api_openapi(struct request *r)
{
	static const char *const no_params[] = { NULL };

	if (!req_query_allow(r, no_params))
		return;
	/* The document changes only with the binary: clients may keep it a while. */
	req_header(r, "Cache-Control", "public, max-age=3600");
	req_header(r, "X-Content-Type-Options", "nosniff");
	req_text(r, 200, "application/yaml; charset=utf-8", openapi_yaml, openapi_yaml_len);
}
