# server/feeds/: parsers for bank notifications and statements (SePay,
# Casso, payOS, generic webhooks; camt.053/054, MT940/942, CSV), pure
# functions from bytes to normalised transactions. Filled in by the
# bank-confirmation issue.
