// Message -> the ImprovMX inbound-webhook JSON payload (see
// docs/payload.md for every field and how bodies, inlines and attachments
// are chosen). The payload refers to the input buffer, which must outlive
// it. Building never fails on bad input: malformed parts degrade to
// best-effort values; only std::bad_alloc escapes.
#pragma once

#include "payload/stream.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace payload {

struct Envelope {
    std::string sender;
    std::vector<std::string> recipients;
    std::string original_recipient;
    std::string queue_id;
};

// Facts about the message for the log line, so the caller need not parse
// the message again.
struct Summary {
    size_t attachments = 0;
    size_t inlines = 0;
    std::string message_id;
};

// `message` is the raw input (an mbox "From " line is skipped). `now` is
// the timestamp used when the Date field is missing or unreadable.
Stream build(std::string_view message, const Envelope& envelope, int64_t now,
             Summary* summary = nullptr);

} // namespace payload
