// SPDX-License-Identifier: MIT
// ebpf-cxx: the umbrella header. Includes only. Each header states its thread-safety contract; the summary is in
// docs/concepts.md ("Ownership and threads").
#pragma once

#include <ebpf/btf.hpp>
#include <ebpf/bytes.hpp>
#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/features.hpp>
#include <ebpf/kernel_btf.hpp>
#include <ebpf/link.hpp>
#include <ebpf/map.hpp>
#include <ebpf/maps/array.hpp>
#include <ebpf/maps/hash_map.hpp>
#include <ebpf/object.hpp>
#include <ebpf/program.hpp>
#include <ebpf/programs/auto_attach.hpp>
#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/cgroup_skb.hpp>
#include <ebpf/programs/freplace.hpp>
#include <ebpf/programs/raw_tracepoint.hpp>
#include <ebpf/programs/tracepoint.hpp>
#include <ebpf/programs/view.hpp>
#include <ebpf/programs/xdp.hpp>
#include <ebpf/programs/tc.hpp>
#include <ebpf/programs/netkit.hpp>
#include <ebpf/programs/netfilter.hpp>
#include <ebpf/programs/flow_dissector.hpp>
#include <ebpf/programs/sk_lookup.hpp>
#include <ebpf/spec.hpp>
#include <ebpf/types.hpp>
