// The end-to-end scenario (pipeline-suite.ts) on the BDC's shape: the deployer reaches HDFS and Livy through the Knox gateway.
import { pipelineSuite } from "./pipeline-suite";

pipelineSuite("bdc");
