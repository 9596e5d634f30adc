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
#include <ebpf/maps/arena.hpp>
#include <ebpf/maps/array.hpp>
#include <ebpf/maps/batch.hpp>
#include <ebpf/maps/bloom_filter.hpp>
#include <ebpf/maps/cgroup_array.hpp>
#include <ebpf/maps/global.hpp>
#include <ebpf/maps/hash_map.hpp>
#include <ebpf/maps/lpm_trie.hpp>
#include <ebpf/maps/map_of_maps.hpp>
#include <ebpf/maps/mapped.hpp>
#include <ebpf/maps/per_cpu.hpp>
#include <ebpf/maps/perf_event_array.hpp>
#include <ebpf/maps/prog_array.hpp>
#include <ebpf/maps/queue.hpp>
#include <ebpf/maps/sock_map.hpp>
#include <ebpf/maps/stack_trace.hpp>
#include <ebpf/maps/storage.hpp>
#include <ebpf/maps/symbolize.hpp>
#include <ebpf/maps/xdp_maps.hpp>
#include <ebpf/object.hpp>
#include <ebpf/perfbuf.hpp>
#include <ebpf/program.hpp>
#include <ebpf/programs/auto_attach.hpp>
#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/cgroup_skb.hpp>
#include <ebpf/programs/freplace.hpp>
#include <ebpf/programs/raw_tracepoint.hpp>
#include <ebpf/programs/tracepoint.hpp>
#include <ebpf/programs/view.hpp>
#include <ebpf/ringbuf.hpp>
#include <ebpf/spec.hpp>
#include <ebpf/types.hpp>
