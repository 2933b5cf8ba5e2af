// SPDX-License-Identifier: GPL-2.0-only
/*
 * The intel-vtd tracepoints, declared in include/trace/events/intel_vtd.h.
 * The event bodies read struct vtd_fault and name enum vtd_qi_type, so
 * their headers come first.
 */
#include "vtd-fault.h"
#include "vtd-qi.h"

#define CREATE_TRACE_POINTS
#include <trace/events/intel_vtd.h>
