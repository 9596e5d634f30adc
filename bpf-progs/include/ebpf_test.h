/* SPDX-License-Identifier: MIT */
/* Common includes for the test programs: UAPI types and the libbpf BPF-side helper headers (Debian libbpf-dev). */
#pragma once

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
