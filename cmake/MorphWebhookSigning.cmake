# morph::webhook_signing: Standard Webhooks signatures (include/morph/webhook/signing.hpp), a
# compiled library of its own so the core stays header-only. Built only when OpenSSL's
# libcrypto is found (Debian: libssl-dev).
find_package(OpenSSL QUIET COMPONENTS Crypto)
if(OpenSSL_FOUND AND TARGET OpenSSL::Crypto)
  morph_webhook_add_inbox_backend(signing src/signing/signing.cpp OpenSSL::Crypto)
  set(MORPH_WEBHOOK_HAS_SIGNING ON)
  message(STATUS "morph-webhook: OpenSSL ${OPENSSL_VERSION} found, building morph::webhook_signing")
else()
  set(MORPH_WEBHOOK_HAS_SIGNING OFF)
  message(STATUS "morph-webhook: OpenSSL not found, morph::webhook_signing not built")
endif()
