// SPDX-License-Identifier: MIT
// main() of the unit suites.
#include "support/catch_main.hpp"

int main(int argc, char** argv) { return ebpf::test::run_suite(argc, argv, false); }
