/**
 * The words Ordinal writes into the status of its custom resources and into Events: phases, condition types, reasons.
 * Not in {@code api}: nothing here is serialised, the status fields hold these words as strings.
 * The status fields stay strings in the CRDs (no schema change); these types are the one place each word is spelled,
 * and {@code docs/troubleshooting.md} explains every one of them ({@code ReasonsDocumentedTest} reads them from here).
 */
package dev.ordinal.vocabulary;
