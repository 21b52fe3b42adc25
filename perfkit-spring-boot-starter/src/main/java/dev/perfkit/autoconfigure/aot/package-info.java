/**
 * Ahead-of-time processing and native-image hints for perfkit: resources, the report's
 * JSON types and the application's cached value types.
 */
package dev.perfkit.autoconfigure.aot;
