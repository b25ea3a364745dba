/// @file invoice.hpp
/// @brief accountingInvoice: an invoice. Source: Morph's `ResourceModels/AccountingInvoice.ts`
/// (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_INVOICE_HPP
#define MORPH_WEBHOOK_MODELS_INVOICE_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.status` of an accountingInvoice. `void_` is `"void"` on the wire (a C++ keyword).
enum class InvoiceStatus : std::uint8_t { draft, paid, void_, overdue, pending, unknown };

/// Wire names of InvoiceStatus.
template <>
struct EnumNames<InvoiceStatus> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"draft", "paid", "void", "overdue", "pending"};
};

/// The `fields` of an accountingInvoice.
///
/// `issued_at`, `due_at` and `paid_at` are strings written by
/// `new Date(...).toISOString()` (the schema's `z.string().transform(d => d ? new Date(d)
/// .toISOString() : undefined)`), so Morph always sends `YYYY-MM-DDTHH:MM:SS.sssZ` or leaves the
/// field out. Strict accepts exactly that form (invalid_value otherwise); lenient accepts any
/// string, as the transform's input `z.string()` does. Read the instant with parse_datetime()
/// (datetime.hpp) when needed.
struct Invoice {
  std::optional<std::string_view> invoice_code;    ///< `invoiceCode`, 1-250 units (required).
  std::optional<ResourceRef> customer_contact;     ///< `customerContact`: a genericContact.
  std::optional<ResourceRef> customer_company;     ///< `customerCompany`: a genericCompany.
  std::optional<std::string_view> issued_at;       ///< `issuedAt`, an ISO date-time (see above).
  std::optional<std::string_view> due_at;          ///< `dueAt`, an ISO date-time (see above).
  std::optional<std::string_view> paid_at;         ///< `paidAt`, an ISO date-time (see above).
  std::optional<EnumField<InvoiceStatus>> status;  ///< draft, paid, void, ... (required).
  std::optional<RefList> line_items;               ///< accountingInvoiceLineItem refs.
  std::optional<std::string_view> currency;        ///< Exactly 3 units (required).
  std::optional<double> pre_tax_amount;            ///< `preTaxAmount`, >= 0 (required).
  std::optional<double> tax_amount;                ///< `taxAmount`, >= 0 (required).
  std::optional<double> total_amount;              ///< `totalAmount`, >= 0 (required).
  std::optional<bool> inclusive_of_tax;            ///< `inclusiveOfTax` (required).
  std::optional<double> balance;                   ///< Still due, >= 0 (required).
  std::optional<std::string_view> note;            ///< Memo.
};

/// accountingInvoice as Morph's zod schema gives it (models.md).
template <>
struct ModelDescription<Invoice> {
  /// The Morph model id.
  static constexpr std::string_view name = "accountingInvoice";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("invoiceCode", &Invoice::invoice_code).required().length(1, 250),
      field("customerContact", &Invoice::customer_contact).ref_to("genericContact"),
      field("customerCompany", &Invoice::customer_company).ref_to("genericCompany"),
      field("issuedAt", &Invoice::issued_at).iso_instant(),
      field("dueAt", &Invoice::due_at).iso_instant(),
      field("paidAt", &Invoice::paid_at).iso_instant(),
      field("status", &Invoice::status).required(),
      field("lineItems", &Invoice::line_items).ref_to("accountingInvoiceLineItem"),
      field("currency", &Invoice::currency).required().length(3, 3),
      field("preTaxAmount", &Invoice::pre_tax_amount).required().non_negative(),
      field("taxAmount", &Invoice::tax_amount).required().non_negative(),
      field("totalAmount", &Invoice::total_amount).required().non_negative(),
      field("inclusiveOfTax", &Invoice::inclusive_of_tax).required(),
      field("balance", &Invoice::balance).required().non_negative(),
      field("note", &Invoice::note));
  // clang-format on
};

/// A checked accountingInvoice event.
using InvoiceEvent = Event<Invoice>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_INVOICE_HPP
