// SPDX-License-Identifier: MIT
// Precompiled header for the library's own sources (build speed only; every file still includes what it uses).
// (No include guard: GCC compiles a PCH as a main file, where "#pragma once" warns.)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>
