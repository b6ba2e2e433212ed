// libFuzzer target over the parse-and-build path: any input must give a
// payload that is valid UTF-8 JSON with every key, and never crash, hang or
// leak. Built only with clang (tests/fuzz/meson.build); run by .ci/run.
#include "payload/build.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    payload::Envelope envelope{"s@example.org", {"r@example.org"}, "", "Q"};
    payload::Stream stream = payload::build(input, envelope, 0);

    std::string text;
    char buffer[4096];
    for (size_t n; (n = stream.read(buffer, sizeof buffer)) > 0;)
        text.append(buffer, n);
    if (text.size() != stream.size())
        std::abort();
    // Throws (and so fails the run) on invalid UTF-8 or broken JSON.
    auto json = nlohmann::json::parse(text);
    if (!json.contains("attachments") || !json.contains("envelope"))
        std::abort();
    return 0;
}
