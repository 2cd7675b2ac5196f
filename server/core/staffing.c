/* Counters needed per hour by Erlang C (see staffing.h). */
#include "staffing.h"

#include <math.h>

double
staffing_erlang_c(int c, double a)
{
	double b = 1;

	if (!(a > 0))
		return 0;
	if (c <= 0 || (double)c <= a)
		return 1;
	/* Erlang B by its stable recursion, then C from B. */
	for (int k = 1; k <= c; k++)
		b = a * b / ((double)k + a * b);
	return (double)c * b / ((double)c - a * (1 - b));
}

double
staffing_share_within(double per_hour, double service_min, int c, double wait_min)
{
	double a = per_hour * service_min / 60;

	if (!(a > 0))
		return 1;
	if ((double)c <= a)
		return 0;
	return 1 - staffing_erlang_c(c, a) *
	    exp(-((double)c - a) * fmax(wait_min, 0) / service_min);
}

double
staffing_wait_quantile(double per_hour, double service_min, int c, double q)
{
	double a = per_hour * service_min / 60, pc;

	if (!(a > 0))
		return 0;
	if ((double)c <= a)
		return INFINITY;
	pc = staffing_erlang_c(c, a);
	if (pc <= 1 - q)
		return 0;
	return service_min / ((double)c - a) * log(pc / (1 - q));
}

int
staffing_counters_needed(double per_hour, double service_min, double wait_min,
    double share)
{
	if (!isfinite(per_hour) || per_hour < 0 || !isfinite(service_min) ||
	    service_min <= 0 || !isfinite(wait_min) || wait_min < 0 ||
	    !(share > 0 && share < 1))
		return -1;
	if (per_hour == 0)
		return 0;
	for (int c = 1; c <= STAFFING_MAX_COUNTERS; c++)
		if (staffing_share_within(per_hour, service_min, c, wait_min) >= share)
			return c;
	return -1;
}
