/**
 * The front page's guided tour: the page itself is {@code static/index.html}; this package
 * serves it the perfkit log lines its requests caused.
 */
package dev.perfkit.sample.tour;
