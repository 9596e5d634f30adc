// SPDX-License-Identifier: MIT
// main() of the kernel suites: skips (exit 77) with a reason when the kernel cannot be used here.
#include "support/catch_main.hpp"

int main(int argc, char** argv) { return ebpf::test::run_suite(argc, argv, true); }
