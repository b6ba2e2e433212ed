#include "delivery/signing.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace delivery {
namespace {

struct MacDeleter {
    void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacContextDeleter {
    void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
struct DigestDeleter {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using MacContext = std::unique_ptr<EVP_MAC_CTX, MacContextDeleter>;

std::string base64(const unsigned char* data, size_t size)
{
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                            static_cast<int>(size));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
}

std::string to_hex(const unsigned char* data, size_t size)
{
    static constexpr char s_digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += s_digits[data[i] >> 4];
        out += s_digits[data[i] & 15];
    }
    return out;
}

MacContext hmac_sha256(EVP_MAC* mac, const std::string& key)
{
    MacContext context(EVP_MAC_CTX_new(mac));
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!context ||
        !EVP_MAC_init(context.get(),
                      reinterpret_cast<const unsigned char*>(key.data()),
                      key.size(), params))
        return nullptr;
    return context;
}

void update_all(std::vector<MacContext>& contexts, std::string_view bytes)
{
    for (MacContext& context : contexts)
        EVP_MAC_update(context.get(),
                       reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size());
}

} // namespace

std::optional<std::string> decode_secret(std::string_view text)
{
    constexpr std::string_view prefix = "whsec_";
    if (text.substr(0, prefix.size()) == prefix)
        text.remove_prefix(prefix.size());
    if (text.empty() || text.size() % 4 != 0 ||
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                               "qrstuvwxyz0123456789+/=") !=
            std::string_view::npos)
        return std::nullopt;
    std::string key(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0)
        return std::nullopt;
    // EVP_DecodeBlock counts padding as zero bytes; take them off.
    size_t padding = text.size() - text.find_last_not_of('=') - 1;
    if (padding > 2)
        return std::nullopt;
    key.resize(static_cast<size_t>(n) - padding);
    if (key.empty())
        return std::nullopt;
    return key;
}

std::string sign(const std::vector<std::string>& keys, std::string_view id,
                 long long timestamp, Body& body)
{
    std::unique_ptr<EVP_MAC, MacDeleter> mac(
        EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    std::vector<MacContext> contexts;
    for (const std::string& key : keys)
        if (mac)
            if (MacContext context = hmac_sha256(mac.get(), key))
                contexts.push_back(std::move(context));
    if (contexts.size() != keys.size() || keys.empty())
        return {};

    std::string prefix =
        std::string(id) + '.' + std::to_string(timestamp) + '.';
    update_all(contexts, prefix);
    body.rewind();
    char buffer[64 * 1024];
    while (size_t n = body.read(buffer, sizeof buffer))
        update_all(contexts, std::string_view(buffer, n));
    body.rewind();

    std::string out;
    for (MacContext& context : contexts) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        size_t size = 0;
        EVP_MAC_final(context.get(), digest, &size, sizeof digest);
        out += (out.empty() ? "v1," : " v1,") + base64(digest, size);
    }
    return out;
}

std::string message_digest(std::string_view message,
                           const std::vector<std::string>& recipients)
{
    std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (!context || !EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr))
        return {};
    EVP_DigestUpdate(context.get(), message.data(), message.size());
    EVP_DigestUpdate(context.get(), "", 1);
    for (size_t i = 0; i < recipients.size(); ++i) {
        if (i > 0)
            EVP_DigestUpdate(context.get(), "\n", 1);
        EVP_DigestUpdate(context.get(), recipients[i].data(),
                         recipients[i].size());
    }
    EVP_DigestFinal_ex(context.get(), digest, &size);
    return to_hex(digest, size);
}

std::string sha256_hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (!EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(),
                    nullptr))
        return {};
    return to_hex(digest, size);
}

} // namespace delivery
