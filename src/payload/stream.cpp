#include "payload/stream.hpp"

#include <cstring>

namespace payload {

void Stream::append(std::string text)
{
    if (text.empty())
        return;
    m_size += text.size();
    if (!m_segments.empty())
        if (auto* last = std::get_if<std::string>(&m_segments.back())) {
            *last += text;
            return;
        }
    m_segments.emplace_back(std::move(text));
}

void Stream::append_base64_rewrap(std::string_view encoded)
{
    message::Base64Rewrap segment(encoded);
    m_size += segment.size();
    m_segments.emplace_back(segment);
}

void Stream::append_base64_of(std::string_view raw)
{
    message::Base64Encoder segment(raw);
    m_size += segment.size();
    m_segments.emplace_back(segment);
}

std::string_view Stream::keep(std::string bytes)
{
    m_kept.push_back(std::make_unique<std::string>(std::move(bytes)));
    return *m_kept.back();
}

void Stream::rewind() noexcept
{
    m_segment = 0;
    m_offset = 0;
    m_pending_size = m_pending_pos = 0;
    for (auto& segment : m_segments) {
        if (auto* s = std::get_if<message::Base64Rewrap>(&segment))
            s->rewind();
        else if (auto* e = std::get_if<message::Base64Encoder>(&segment))
            e->rewind();
    }
}

size_t Stream::read_segment(Segment& segment, char* out, size_t capacity)
{
    if (auto* text = std::get_if<std::string>(&segment)) {
        size_t n = std::min(capacity, text->size() - m_offset);
        std::memcpy(out, text->data() + m_offset, n);
        m_offset += n;
        return n;
    }
    if (auto* rewrap = std::get_if<message::Base64Rewrap>(&segment))
        return rewrap->read(out, capacity);
    auto& encoder = std::get<message::Base64Encoder>(segment);
    if (capacity >= 4)
        return encoder.read(out, capacity);
    // The encoder works in whole 4-byte groups; stage one and hand it out
    // over the next calls.
    m_pending_size = encoder.read(m_pending, sizeof m_pending);
    m_pending_pos = 0;
    size_t n = std::min(capacity, m_pending_size);
    std::memcpy(out, m_pending, n);
    m_pending_pos = n;
    return n;
}

size_t Stream::read(char* out, size_t capacity) noexcept
{
    size_t written = 0;
    while (written < capacity) {
        if (m_pending_pos < m_pending_size) {
            size_t n = std::min(capacity - written,
                                m_pending_size - m_pending_pos);
            std::memcpy(out + written, m_pending + m_pending_pos, n);
            m_pending_pos += n;
            written += n;
            continue;
        }
        if (m_segment >= m_segments.size())
            break;
        size_t n = read_segment(m_segments[m_segment], out + written,
                                capacity - written);
        if (n == 0) {
            ++m_segment;
            m_offset = 0;
        }
        written += n;
    }
    return written;
}

bool Stream::write_to(std::FILE* file)
{
    rewind();
    std::vector<char> buffer(1 << 16);
    for (;;) {
        size_t n = read(buffer.data(), buffer.size());
        if (n == 0)
            break;
        if (std::fwrite(buffer.data(), 1, n, file) != n)
            return false;
    }
    return std::fflush(file) == 0;
}

} // namespace payload
