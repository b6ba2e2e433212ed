// The payload as a sequence of segments that can be read from the start
// any number of times: small JSON pieces held as strings, and attachment
// contents produced on the fly from views of the input buffer. libcurl's
// read callback pulls from it, and a retry rewinds it, so the payload is
// built once and never held as one string.
#pragma once

#include "message/decode.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace payload {

class Stream {
public:
    void append(std::string text);
    void append_base64_rewrap(std::string_view encoded);
    void append_base64_of(std::string_view raw);
    // Keeps `bytes` alive for as long as the stream, and returns a view of
    // it (for decoded quoted-printable attachments).
    std::string_view keep(std::string bytes);

    size_t size() const noexcept { return m_size; }
    void rewind() noexcept;
    // Copies up to `capacity` bytes; returns 0 at the end.
    size_t read(char* out, size_t capacity) noexcept;

    // Writes the whole stream; false when the write failed.
    bool write_to(std::FILE* file);

private:
    using Segment = std::variant<std::string, message::Base64Rewrap,
                                 message::Base64Encoder>;
    std::vector<Segment> m_segments;
    std::vector<std::unique_ptr<std::string>> m_kept;
    size_t m_size = 0;
    size_t m_segment = 0;   // current segment
    size_t m_offset = 0;    // offset within a string segment
    char m_pending[8] = {}; // bytes of a base64 group that did not fit
    size_t m_pending_size = 0;
    size_t m_pending_pos = 0;

    size_t read_segment(Segment& segment, char* out, size_t capacity);
};

} // namespace payload
