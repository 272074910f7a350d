/** Where the designer opens a process (the API's answers and the CLI's output link there). */
export const designerUrl = (bpmnProcessId: string) => `/designer/#/process/${encodeURIComponent(bpmnProcessId)}`;
