package org.iommulab.itests.tck;

import org.junit.runner.RunWith;

/**
 * The conformance kit in a real Felix: one test per (check, backend), over every backend the
 * container registers (see {@link TckRunner}). A failing pair says which rule the backend broke
 * and how; a skipped one, why the rule does not apply to it. Add your own bundle with
 * {@code -Ditest.tck.bundles=path/to/model.jar}; the app's {@code tck} command runs the same
 * checks without Maven.
 */
@RunWith(TckRunner.class)
public class TckIT {
}
