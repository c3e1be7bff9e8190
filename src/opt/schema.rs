//! What the OPT 1.4 schema allows where. (Filled in with the validator.)
