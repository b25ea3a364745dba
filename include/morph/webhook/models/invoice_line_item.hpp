/// @file invoice_line_item.hpp
/// @brief accountingInvoiceLineItem: one line of an invoice. Source: Morph's
/// `ResourceModels/AccountingInvoiceLineItem.ts` (see models.md); the description below is
/// the model.
#ifndef MORPH_WEBHOOK_MODELS_INVOICE_LINE_ITEM_HPP
#define MORPH_WEBHOOK_MODELS_INVOICE_LINE_ITEM_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of an accountingInvoiceLineItem.
struct InvoiceLineItem {
  std::optional<ResourceRef> invoice;           ///< The accountingInvoice.
  std::optional<ResourceRef> item;              ///< The accountingInvoiceItem (catalogue).
  std::optional<std::string_view> description;  ///< Label of the line (required).
  std::optional<double> price_per_unit;         ///< `pricePerUnit`, >= 0 (required).
  std::optional<double> quantity;               ///< >= 0, not necessarily whole (required).
  std::optional<double> total_amount;           ///< `totalAmount`, >= 0 (required).
};

/// accountingInvoiceLineItem as Morph's zod schema gives it (models.md). `totalAmount` is not
/// checked against price x quantity (the schema does not).
template <>
struct ModelDescription<InvoiceLineItem> {
  /// The Morph model id.
  static constexpr std::string_view name = "accountingInvoiceLineItem";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("invoice", &InvoiceLineItem::invoice).ref_to("accountingInvoice"),
      field("item", &InvoiceLineItem::item).ref_to("accountingInvoiceItem"),
      field("description", &InvoiceLineItem::description).required(),
      field("pricePerUnit", &InvoiceLineItem::price_per_unit).required().non_negative(),
      field("quantity", &InvoiceLineItem::quantity).required().non_negative(),
      field("totalAmount", &InvoiceLineItem::total_amount).required().non_negative());
  // clang-format on
};

/// A checked accountingInvoiceLineItem event.
using InvoiceLineItemEvent = Event<InvoiceLineItem>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_INVOICE_LINE_ITEM_HPP
