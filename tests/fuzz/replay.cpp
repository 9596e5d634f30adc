// SPDX-License-Identifier: MIT
// Replays files (and every file under directories) through one fuzz target without libFuzzer, so saved crash
// inputs and the seed objects run in the normal test suite with any compiler.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_file(const fs::path& p, bool& ok) {
    std::ifstream in(p, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ok = !in.bad();
    return bytes;
}

}  // namespace

// In a sanitizer build (gcc or clang, -Db_sanitize=address,undefined), undefined behaviour must fail the test
// rather than print a warning and carry on; *SAN_OPTIONS from the environment still take precedence.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

// A few KiB of hostile input must not make a parser allocate gigabytes (the fuzzers run with
// -malloc_limit_mb=1024 too), so a single allocation above 1 GiB fails the replay like a crash would.
#if defined(__SANITIZE_ADDRESS__)
#define EBPF_REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EBPF_REPLAY_ASAN 1
#endif
#endif

#ifdef EBPF_REPLAY_ASAN
// ASan owns operator new; it enforces the same limit itself and reports the allocating stack.
extern "C" const char* __asan_default_options() { return "max_allocation_size_mb=1024:allocator_may_return_null=0"; }
#else
// Without ASan, replace the global allocation functions with a size check in front of malloc.
constexpr std::size_t kMaxAllocation = std::size_t{1} << 30;

void* operator new(std::size_t n) {
    if (n > kMaxAllocation) {
        std::fprintf(stderr, "replay: allocation of %zu bytes exceeds the %zu-byte limit for fuzz inputs\n", n,
                     kMaxAllocation);
        std::abort();
    }
    if (void* p = std::malloc(n ? n : 1)) return p;
    std::fprintf(stderr, "replay: out of memory allocating %zu bytes\n", n);
    std::abort();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

int main(int argc, char** argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (auto it = fs::recursive_directory_iterator(arg, ec); !ec && it != fs::recursive_directory_iterator();
                 it.increment(ec))
                if (it->is_regular_file()) files.push_back(it->path());
        } else if (fs::is_regular_file(arg, ec)) {
            files.push_back(arg);
        } else {
            // A regressions directory for a target without findings does not exist in git (empty directory).
            std::printf("skip %s: not found\n", argv[i]);
        }
    }
    // Sorted, so a failure names the same input on every run.
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "replay: no inputs (an empty replay does not pass)\n");
        return 1;
    }
    for (const fs::path& p : files) {
        bool ok = false;
        const auto bytes = read_file(p, ok);
        if (!ok) {
            std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
            return 1;
        }
        // Printed before running, so a crash leaves the culprit as the last line of the log.
        std::printf("%s (%zu bytes)\n", p.c_str(), bytes.size());
        std::fflush(stdout);
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return 0;
}
