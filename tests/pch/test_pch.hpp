// SPDX-License-Identifier: MIT
// Precompiled header for test sources: Catch2 dominates their compile time (GCC only).

#include <catch2/catch.hpp>

#include <ebpf/ebpf.hpp>
