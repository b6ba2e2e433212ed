// Standard Webhooks signatures and the message digest behind the
// idempotency key. The only module that includes OpenSSL's libcrypto.
// Specification: https://www.standardwebhooks.com/ ("Signature scheme").
#pragma once

#include "delivery/http.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace delivery {

// A secret as the specification writes it: "whsec_" followed by base64 of
// the key bytes (the prefix may be left out, as the reference libraries
// allow). Nothing when the rest is not valid base64 or is empty.
std::optional<std::string> decode_secret(std::string_view text);

// "v1,<base64 HMAC-SHA256 of id.timestamp.body>" for each key, joined by
// single spaces (several keys during a rotation). Reads `body` from its
// start once, for all keys together, and leaves it rewound.
std::string sign(const std::vector<std::string>& keys, std::string_view id,
                 long long timestamp, Body& body);

// Lowercase hex SHA-256 of `message`, a zero byte, then `recipients`
// joined by newlines: the same message for the same recipients gives the
// same value on every run.
std::string message_digest(std::string_view message,
                           const std::vector<std::string>& recipients);

// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

} // namespace delivery
