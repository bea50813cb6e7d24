// The end-to-end scenario (pipeline-suite.ts) on the `livy` target (issue 25): the deployer reaches the real Livy
// and the real NameNode directly, with no gateway in front (contracts/deploy-target.ts).
import { pipelineSuite } from "./pipeline-suite";

pipelineSuite("livy");
