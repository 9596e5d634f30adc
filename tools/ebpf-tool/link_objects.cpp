// SPDX-License-Identifier: MIT
// ebpf-tool link OUT.o IN.o... (and `gen object`, bpftool's name): static linking of BPF objects.
#include <cstdio>
#include <string>
#include <vector>

#include <ebpf/linker.hpp>

#include "commands.hpp"
#include "file_io.hpp"

namespace ebpf::tool {

int cmd_link_objects(std::span<const std::string_view> args) {
    std::vector<std::string> files;
    LinkOptions opts;
    for (std::string_view a : args) {
        if (a == "-h" || a == "--help") {
            std::fputs("usage: ebpf-tool link OUT.o IN.o...  (also: ebpf-tool gen object OUT.o IN.o...)\n"
                       "  statically links BPF objects into OUT.o: sections merged, symbols resolved across files,\n"
                       "  .BTF merged and deduplicated, .BTF.ext rebased (docs/linking.md)\n"
                       "  --no-dedup   keep every input's BTF types (diagnostics)\n",
                       stdout);
            return kExitOk;
        }
        if (a == "--no-dedup") {
            opts.dedup_btf = false;
            continue;
        }
        if (a.starts_with("-")) return usage_error("link: unknown option '" + std::string(a) + "'");
        files.emplace_back(a);
    }
    if (files.size() < 2) return usage_error("link: need OUT.o and at least one IN.o");
    std::vector<std::vector<std::byte>> data;
    for (std::size_t i = 1; i < files.size(); ++i) {
        auto b = read_whole_file(files[i]);
        if (!b) return fail("link: " + std::string(b.error().message()));
        data.push_back(std::move(*b));
    }
    std::vector<LinkInput> inputs;
    for (std::size_t i = 1; i < files.size(); ++i) inputs.push_back({files[i], data[i - 1]});
    auto out = link_objects(inputs, opts);
    if (!out) return fail("link: " + std::string(out.error().message()));
    if (auto r = write_file_atomically(files[0], *out); !r) return fail("link: " + std::string(r.error().message()));
    return kExitOk;
}

}  // namespace ebpf::tool
