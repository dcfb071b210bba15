package io.mnemo.server;

import io.mnemo.promql.promqltest.PromqlTestMain;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bin/mnemo promqltest FILE...}: runs Prometheus PromQL test scripts against Mnemo's engine. */
@Command(name = "promqltest", mixinStandardHelpOptions = true,
        description = "Runs PromQL test scripts (Prometheus's promqltest format) against Mnemo's PromQL engine; "
                + "prints each failing eval with expected and actual, then 'N passed, M failed'.")
final class PromqlTestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Test scripts, e.g. ../shared/promqltest/*.test")
    List<String> files;

    @Override
    public Integer call() {
        return PromqlTestMain.run(files, System.out);
    }
}
