/*
 * Lookups in a loaded configuration: offices, counters and the services they
 * offer. Loading, references and reload rules live in config_load.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

const struct config_office *
config_office(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->noffices; i++) {
		if (strcmp(cfg->offices[i].id, id) == 0)
			return &cfg->offices[i];
	}
	return NULL;
}

const struct config_municipality *
config_municipality_find(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->nmunicipalities; i++) {
		if (strcmp(cfg->municipalities[i].id, id) == 0)
			return &cfg->municipalities[i];
	}
	return NULL;
}

const struct rules_settings *
config_office_settings(const struct config *cfg, const struct config_office *office)
{
	return &cfg->municipalities[office->municipality].settings;
}

bool
config_office_offers(const struct config_office *office, const char *service)
{
	return cal_service_find(&office->cal, service) != NULL;
}

const struct config_counter *
config_counter(const struct config_office *office, int id)
{
	for (size_t i = 0; i < office->ncounters; i++) {
		if (office->counters[i].id == id)
			return &office->counters[i];
	}
	return NULL;
}

bool
config_counter_serves(const struct config_office *office, const struct config_counter *counter,
    const char *service)
{
	for (size_t i = 0; i < office->cal.nservices; i++) {
		if (strcmp(office->cal.services[i].id, service) == 0)
			return (counter->services & (1u << i)) != 0;
	}
	return false;
}
