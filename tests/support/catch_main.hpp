// SPDX-License-Identifier: MIT
// Entry point of every test binary (see catch_main.cpp).
#pragma once

namespace ebpf::test {
int run_suite(int argc, char** argv, bool kernel_suite);
}
