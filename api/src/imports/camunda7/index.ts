/** Camunda 7 model import: the converter to Camunda 8 (zeebe) BPMN and its report. */
export {
  CAMUNDA7_NAMESPACE,
  Camunda7ImportError,
  convertCamunda7,
  type Camunda7Conversion,
  type Camunda7ImportErrorCode,
  type Camunda7Report,
  type Camunda7ReportItem,
} from './convert.js';
export { juelToFeel, translateExpression, type Translation } from './juel-to-feel.js';
