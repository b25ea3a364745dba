/// @file invoice_item.hpp
/// @brief accountingInvoiceItem: a catalogue item or product that invoice lines refer to.
/// Source: Morph's `ResourceModels/AccountingInvoiceItem.ts` (see models.md); the description
/// below is the model.
#ifndef MORPH_WEBHOOK_MODELS_INVOICE_ITEM_HPP
#define MORPH_WEBHOOK_MODELS_INVOICE_ITEM_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of an accountingInvoiceItem.
struct InvoiceItem {
  std::optional<std::string_view> name;         ///< Item name (required).
  std::optional<std::string_view> description;  ///< Long description.
  std::optional<std::string_view> code;         ///< External code or SKU.
  std::optional<double> price;                  ///< Default unit price before tax, >= 0.
  std::optional<std::string_view> currency;     ///< Any length (unlike an invoice's).
};

/// accountingInvoiceItem as Morph's zod schema gives it (models.md): `name` required, no
/// string lengths.
template <>
struct ModelDescription<InvoiceItem> {
  /// The Morph model id.
  static constexpr std::string_view name = "accountingInvoiceItem";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("name", &InvoiceItem::name).required(),
      field("description", &InvoiceItem::description),
      field("code", &InvoiceItem::code),
      field("price", &InvoiceItem::price).non_negative(),
      field("currency", &InvoiceItem::currency));
  // clang-format on
};

/// A checked accountingInvoiceItem event.
using InvoiceItemEvent = Event<InvoiceItem>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_INVOICE_ITEM_HPP
