/**
 * Fakes shared by every module's unit tests: backends (identity, recording, wrapping, with
 * forwarding ops and fixed bindings), a corrupting translation port, swiotlb pools (a fake and
 * a forwarding one), physical memory that forwards (for tests that change one access) and fake
 * drivers that play the service registry. Built on the api bundle
 * only (and io-pgtable), so the platform's own tests can use it too; a test-scoped dependency,
 * never deployed. Each class states what it is for and its thread safety.
 */
package org.iommulab.testkit;
