// Known disagreements between the library's strict policy and zod, each with its reason.
// An entry matches a disagreement of its `kind` ('strict': the verdicts differ, the default;
// 'value': both accept but the library read another value than zod's output) when zod's
// verdict is `zod` (true: accepts), the library's strict verdict matches `library` and, when
// given, the reason (zod's, or the value difference) matches `why`. An entry that matches no
// body fails the test, so the list can only shrink as the library is fixed. An entry with a
// `simdjson` version applies only when the library is built with that version; one with a
// `model` only to that model's bodies (and is not expected when another model runs alone).
export const expected_failures = [
  {
    note: 'a number beyond the range of a double (1e400) is valid JSON and JSON.parse reads it as ' +
          'Infinity, so zod accepts it in rawResource (z.any()) and in unknown keys (stripped); the ' +
          'library rejects it anywhere (number.hpp: invalid_json), a deviation contract.md does ' +
          'not list yet',
    zod: true, library: /^invalid_json (\/data\/rawResource|(\/data(\/fields)?)?\/zzExtra$)/,
  },
  {
    note: "accountingInvoice's dates (issuedAt, dueAt, paidAt) are written by " +
          'new Date(...).toISOString(), so Morph sends YYYY-MM-DDTHH:MM:SS.sssZ or leaves the field ' +
          'out; strict accepts exactly that form. zod validates the transform\'s input, z.string(), ' +
          'so it accepts text Morph never emits ("2025-03-06", "March 6, 2025", "", ...)',
    model: 'accountingInvoice',
    zod: true, library: /^invalid_value \/data\/fields\/(issuedAt|dueAt|paidAt)$/,
  },
];
